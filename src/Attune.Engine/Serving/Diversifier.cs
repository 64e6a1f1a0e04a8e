using System.Numerics;

namespace Attune.Engine.Serving;

/// <param name="Lambda">MMR trade-off in [0, 1]: 1 = pure relevance order, lower = more spread.</param>
/// <param name="MaxPerCategory">Hard cap on items sharing any one category in the list; 0 = no cap.</param>
/// <param name="PoolSize">How many of the most relevant candidates MMR considers (at least the list length).</param>
public sealed record DiversityOptions(double Lambda = 0.7, int MaxPerCategory = 0, int PoolSize = 300)
{
    public static DiversityOptions None { get; } = new(1.0, 0, 0);

    public void Validate(string field)
    {
        if (!(Lambda is >= 0 and <= 1))
        {
            throw new RecommendationRequestException($"{field}.lambda", $"lambda must be in [0, 1], got {Lambda}");
        }

        if (MaxPerCategory < 0 || PoolSize < 0)
        {
            throw new RecommendationRequestException(field, "maxPerCategory and poolSize must be >= 0");
        }
    }
}

/// <summary>
/// Stage 4: maximal marginal relevance with a hard per-category cap.
/// </summary>
/// <remarks>
/// Carbonell &amp; Goldstein (1998), "The use of MMR, diversity-based reranking for reordering documents and producing
/// summaries", SIGIR. Greedily picks <c>argmax_i  lambda * rel(i) - (1 - lambda) * max_{j in S} sim(i, j)</c>, with
/// relevance min-max scaled to [0, 1] over the pool so that it is on the similarity's scale. The running max
/// similarity of each candidate is updated once per pick, so selecting k of a pool of P costs O(k * P) similarity
/// calls (none when lambda = 1); with the default category Jaccard the pool is grouped by category set, which
/// costs O(k * G) steps for G distinct sets and gives the same picks. An item whose categories include one already
/// at the cap is skipped; when the pool runs out, the remaining candidates are taken in relevance order, still under
/// the cap, so the cap always holds and the list may come out shorter than asked.
/// </remarks>
public static class Diversifier
{
    [ThreadStatic]
    private static int[]? t_groupOfSet;

    [ThreadStatic]
    private static int[]? t_bitOf;

    /// <summary>
    /// Appends up to <paramref name="count"/> items from <paramref name="ranked"/> (sorted by relevance, best first)
    /// to <paramref name="output"/>. <paramref name="categoryCounts"/> (one entry per catalog category) carries the
    /// cap's state between calls. <paramref name="maxPicks"/> stops the selection early without changing the pool,
    /// which <paramref name="count"/> sizes: the picks made are the first picks of the full selection.
    /// </summary>
    public static void Select(
        ServingCatalog catalog,
        ReadOnlySpan<Candidate> ranked,
        int count,
        DiversityOptions options,
        IItemSimilarity similarity,
        Span<int> categoryCounts,
        List<Candidate> output,
        int maxPicks = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (count <= 0 || maxPicks <= 0 || ranked.IsEmpty)
        {
            return;
        }

        var target = output.Count + Math.Min(count, maxPicks);
        var poolSize = Math.Min(ranked.Length, Math.Max(options.PoolSize, count));
        var pool = ranked[..poolSize];
        if (options.Lambda >= 1)
        {
            TakeInOrder(catalog, ranked, options.MaxPerCategory, categoryCounts, output, target);
            return;
        }

        if (similarity is CategoryJaccardSimilarity jaccard && ReferenceEquals(jaccard.Catalog, catalog))
        {
            SelectByCategorySet(catalog, pool, options, jaccard, categoryCounts, output, target);
        }
        else
        {
            SelectPairwise(catalog, pool, options, similarity, categoryCounts, output, target);
        }

        if (output.Count < target && ranked.Length > poolSize)
        {
            TakeInOrder(catalog, ranked[poolSize..], options.MaxPerCategory, categoryCounts, output, target);
        }
    }

    private static void SelectPairwise(
        ServingCatalog catalog,
        ReadOnlySpan<Candidate> pool,
        DiversityOptions options,
        IItemSimilarity similarity,
        Span<int> categoryCounts,
        List<Candidate> output,
        int target)
    {
        var poolSize = pool.Length;
        // A pool of a few hundred fits the stack: a block or page request then allocates nothing here.
        Span<double> maxSim = poolSize <= 512 ? stackalloc double[poolSize] : new double[poolSize];
        Span<bool> taken = poolSize <= 512 ? stackalloc bool[poolSize] : new bool[poolSize];
        var (bottom, range) = ScoreRange(pool);
        var lambda = options.Lambda;
        while (output.Count < target)
        {
            var best = -1;
            var bestValue = double.NegativeInfinity;
            for (var i = 0; i < poolSize; i++)
            {
                if (taken[i])
                {
                    continue;
                }

                var relevance = range > 0 ? (pool[i].Score - bottom) / range : 1;
                var value = (lambda * relevance) - ((1 - lambda) * maxSim[i]);
                if (value > bestValue && !AtCap(catalog, pool[i].Item, options.MaxPerCategory, categoryCounts))
                {
                    best = i;
                    bestValue = value;
                }
            }

            if (best < 0)
            {
                break;
            }

            taken[best] = true;
            Take(catalog, pool[best], options.MaxPerCategory, categoryCounts, output);
            if (output.Count >= target)
            {
                // The last pick: no later pick reads the similarities (a three-item block saves a third of them).
                break;
            }

            var chosen = pool[best].Item;
            for (var i = 0; i < poolSize; i++)
            {
                if (!taken[i])
                {
                    var s = similarity.Similarity(chosen, pool[i].Item);
                    if (s > maxSim[i])
                    {
                        maxSim[i] = s;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The same selection as <see cref="SelectPairwise"/> when similarity depends only on the two category sets:
    /// candidates sharing a set share their running max similarity and their cap state, so within a set the first
    /// untaken one (the most relevant, lowest index on ties) is its only contender. Each pick then costs O(G) for G
    /// distinct sets in the pool, and similarities are computed once per distinct set picked (picking a set again
    /// cannot raise any max), as bit operations when the pool spans at most 64 categories.
    /// </summary>
    private static void SelectByCategorySet(
        ServingCatalog catalog,
        ReadOnlySpan<Candidate> pool,
        DiversityOptions options,
        CategoryJaccardSimilarity similarity,
        Span<int> categoryCounts,
        List<Candidate> output,
        int target)
    {
        var poolSize = pool.Length;
        var groups = new CategorySetGroups(catalog, pool);
        var g = groups.Count;
        var maxSim = new double[g];
        var next = new int[g];
        var picked = new bool[g];
        var closed = new bool[g];
        for (var k = 0; k < g; k++)
        {
            next[k] = groups.Start[k];
        }

        var (bottom, range) = ScoreRange(pool);
        var lambda = options.Lambda;
        var masks = Masks(catalog, pool, groups);
        while (output.Count < target)
        {
            var bestGroup = -1;
            var bestIndex = poolSize;
            var bestValue = double.NegativeInfinity;
            for (var k = 0; k < g; k++)
            {
                if (closed[k])
                {
                    continue;
                }

                if (next[k] == groups.Start[k + 1] || AtCap(catalog, pool[groups.Members[next[k]]].Item, options.MaxPerCategory, categoryCounts))
                {
                    // Counts only grow, so a set at the cap stays there; an exhausted set has nothing left.
                    closed[k] = true;
                    continue;
                }

                var i = groups.Members[next[k]];
                var relevance = range > 0 ? (pool[i].Score - bottom) / range : 1;
                var value = (lambda * relevance) - ((1 - lambda) * maxSim[k]);
                if (value > bestValue || (value == bestValue && i < bestIndex))
                {
                    bestGroup = k;
                    bestIndex = i;
                    bestValue = value;
                }
            }

            if (bestGroup < 0)
            {
                break;
            }

            next[bestGroup]++;
            Take(catalog, pool[bestIndex], options.MaxPerCategory, categoryCounts, output);
            if (picked[bestGroup])
            {
                continue;
            }

            picked[bestGroup] = true;
            if (masks is not null)
            {
                RaiseByMask(masks, bestGroup, closed, maxSim);
                continue;
            }

            var chosen = pool[bestIndex].Item;
            for (var k = 0; k < g; k++)
            {
                if (!closed[k])
                {
                    var s = similarity.Similarity(chosen, pool[groups.Members[groups.Start[k]]].Item);
                    if (s > maxSim[k])
                    {
                        maxSim[k] = s;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Each set as a bit mask over the pool's own categories, when they are at most 64 (null otherwise): Jaccard is
    /// then popcount(a and b) / popcount(a or b), the same integers and so the same quotient as the sorted merge.
    /// </summary>
    private static ulong[]? Masks(ServingCatalog catalog, ReadOnlySpan<Candidate> pool, CategorySetGroups groups)
    {
        var masks = new ulong[groups.Count];

        // Bit of each category (+1; 0 = none yet), in this thread's scratch indexed by category id (all zero between
        // calls: the entries touched are reset below), instead of a dictionary per request.
        var bitOf = Scratch(ref t_bitOf, catalog.CategoryCount);
        var used = 0;
        try
        {
            for (var k = 0; k < groups.Count; k++)
            {
                foreach (var c in catalog.Categories(pool[groups.Members[groups.Start[k]]].Item))
                {
                    if (bitOf[c] == 0)
                    {
                        if (used == 64)
                        {
                            return null;
                        }

                        bitOf[c] = ++used;
                    }

                    masks[k] |= 1UL << (bitOf[c] - 1);
                }
            }

            return masks;
        }
        finally
        {
            for (var k = 0; k < groups.Count; k++)
            {
                foreach (var c in catalog.Categories(pool[groups.Members[groups.Start[k]]].Item))
                {
                    bitOf[c] = 0;
                }
            }
        }
    }

    private static void RaiseByMask(ulong[] masks, int chosen, bool[] closed, double[] maxSim)
    {
        var m = masks[chosen];
        if (m == 0)
        {
            return;
        }

        for (var k = 0; k < masks.Length; k++)
        {
            var both = masks[k] & m;
            if (both != 0 && !closed[k])
            {
                var s = (double)BitOperations.PopCount(both) / BitOperations.PopCount(masks[k] | m);
                if (s > maxSim[k])
                {
                    maxSim[k] = s;
                }
            }
        }
    }

    /// <summary>The pool's candidates grouped by identical category set; members of each set in pool order.</summary>
    private readonly ref struct CategorySetGroups
    {
        public CategorySetGroups(ServingCatalog catalog, ReadOnlySpan<Candidate> pool)
        {
            var groupOf = new int[pool.Length];

            // Group of each category set (+1; 0 = not met yet), in this thread's scratch indexed by set id (ids are
            // dense; all zero between calls: the entries touched are reset below), instead of a dictionary per request.
            var groupOfSet = Scratch(ref t_groupOfSet, catalog.CategorySetCount);
            var sizes = new List<int>();
            try
            {
                for (var i = 0; i < pool.Length; i++)
                {
                    var key = catalog.CategorySetId(pool[i].Item);
                    var group = groupOfSet[key] - 1;
                    if (group < 0)
                    {
                        group = sizes.Count;
                        groupOfSet[key] = group + 1;
                        sizes.Add(0);
                    }

                    groupOf[i] = group;
                    sizes[group]++;
                }
            }
            finally
            {
                for (var i = 0; i < pool.Length; i++)
                {
                    groupOfSet[catalog.CategorySetId(pool[i].Item)] = 0;
                }
            }

            Count = sizes.Count;
            Start = new int[Count + 1];
            for (var k = 0; k < Count; k++)
            {
                Start[k + 1] = Start[k] + sizes[k];
            }

            Members = new int[pool.Length];
            var fill = new int[Count];
            for (var i = 0; i < pool.Length; i++)
            {
                var group = groupOf[i];
                Members[Start[group] + fill[group]++] = i;
            }
        }

        public int Count { get; }

        /// <summary>Members of set k are <c>Members[Start[k]..Start[k + 1]]</c>.</summary>
        public int[] Start { get; }

        /// <summary>Pool indices, grouped by set, ascending within each set.</summary>
        public int[] Members { get; }
    }

    /// <summary>This thread's zeroed scratch of at least <paramref name="length"/> entries (grown when needed).</summary>
    private static int[] Scratch(ref int[]? scratch, int length)
    {
        if (scratch is null || scratch.Length < length)
        {
            scratch = new int[Math.Max(16, length)];
        }

        return scratch;
    }

    private static void TakeInOrder(ServingCatalog catalog, ReadOnlySpan<Candidate> ranked, int cap, Span<int> counts, List<Candidate> output, int target)
    {
        for (var i = 0; i < ranked.Length && output.Count < target; i++)
        {
            if (!AtCap(catalog, ranked[i].Item, cap, counts))
            {
                Take(catalog, ranked[i], cap, counts, output);
            }
        }
    }

    private static bool AtCap(ServingCatalog catalog, int item, int cap, Span<int> counts)
    {
        if (cap <= 0)
        {
            return false;
        }

        foreach (var c in catalog.Categories(item))
        {
            if (counts[c] >= cap)
            {
                return true;
            }
        }

        return false;
    }

    private static void Take(ServingCatalog catalog, Candidate candidate, int cap, Span<int> counts, List<Candidate> output)
    {
        output.Add(candidate);
        if (cap > 0)
        {
            foreach (var c in catalog.Categories(candidate.Item))
            {
                counts[c]++;
            }
        }
    }

    /// <summary>The lowest score of the pool and the spread to the highest, for scaling relevance to [0, 1].</summary>
    private static (double Bottom, double Range) ScoreRange(ReadOnlySpan<Candidate> pool)
    {
        var top = pool[0].Score;
        var bottom = pool[0].Score;
        foreach (var c in pool)
        {
            top = Math.Max(top, c.Score);
            bottom = Math.Min(bottom, c.Score);
        }

        return (bottom, top - bottom);
    }
}
