using System.Numerics.Tensors;

namespace Attune.Numerics.Ann;

/// <summary>
/// Approximate maximum-inner-product top-k over item vectors with a hierarchical navigable small world graph.
/// </summary>
/// <remarks>
/// <para>
/// Graph and search follow Malkov &amp; Yashunin, "Efficient and robust approximate nearest neighbor search
/// using Hierarchical Navigable Small World graphs" (IEEE TPAMI 2018): levels drawn as
/// <c>floor(-ln U / ln M)</c>, greedy descent through the upper layers, a best-first beam of width ef on the
/// layer below, and neighbours chosen by the paper's heuristic (Algorithm 4, keepPrunedConnections, no
/// candidate extension). Layer 0 keeps up to 2M links, upper layers M, all in flat <c>int</c> arrays whose
/// first slot holds the count.
/// </para>
/// <para>
/// The graph is built and searched with the inner product itself as the similarity (as in Morozov &amp;
/// Babenko, "Non-metric similarity graphs for maximum inner product search", NeurIPS 2018), not with the
/// reduction of Bachrach et al. (RecSys 2014) that appends <c>sqrt(Φ² - |x|²)</c> to every item so that L2
/// order equals inner-product order. That reduction was implemented and measured first: with power-law item
/// norms (as trained factors have) Φ is set by a few huge items, every other item gets an extra coordinate
/// close to Φ, and they crowd on one pole of the sphere; on 20,000 x 32 clustered power-law data recall@10
/// was 0.19 at ef = 64 and 0.59 at ef = 1024, against 0.90 and 1.00 searching inner product directly (on
/// Gaussian data 0.71 vs 0.95 at ef = 64). The trade-off: inner product is not a metric, so the heuristic's
/// geometric argument (drop a candidate that is nearer to a kept neighbour than to the base) no longer
/// guarantees navigability, and large-norm items become hubs that many lists point to. keepPrunedConnections
/// refills lists to capacity so low-norm regions stay connected; items that are nobody's top neighbour can
/// still be hard to reach, which costs little for top-k MIPS because such items rarely win it.
/// </para>
/// <para>
/// Complexity: build O(n · efConstruction · M · d · log n) expected time (single-threaded and
/// deterministic for a given seed and input), memory n·d floats + about n·(2M+1) ints for layer 0 + a
/// geometric 1/M fraction more for the upper layers. A query costs about O(efSearch · 2M · d · log n) and
/// allocates nothing after a thread's first query: each thread reuses a visited set stamped with a
/// generation counter and two heaps (so an exclusion predicate must not itself search on the same thread).
/// The index is immutable once built, so concurrent searches are safe. Excluded items are still traversed
/// (the graph stays connected) but never returned; when most items are excluded the beam widens and the
/// query slows toward a full scan.
/// </para>
/// </remarks>
public sealed partial class HnswIndex
{
    private const int MaxLevel = 30;

    private readonly float[] _vectors;
    private readonly byte[] _levels;
    private readonly int[] _layer0;
    private readonly int[] _upperOffset;
    private readonly int[] _upper;
    private int _entry;
    private int _topLevel;

    private HnswIndex(int count, int dimension, HnswOptions options, float[] vectors, byte[] levels, int[] layer0, int[] upperOffset, int[] upper, int entry, int topLevel)
    {
        Count = count;
        Dimension = dimension;
        Options = options;
        _vectors = vectors;
        _levels = levels;
        _layer0 = layer0;
        _upperOffset = upperOffset;
        _upper = upper;
        _entry = entry;
        _topLevel = topLevel;
    }

    public int Count { get; }

    public int Dimension { get; }

    public HnswOptions Options { get; }

    /// <summary>Number of graph layers (1 for a flat graph, 0 when empty).</summary>
    public int Layers => Count == 0 ? 0 : _topLevel + 1;

    /// <summary>Bytes held by the vectors and the graph.</summary>
    public long MemoryBytes =>
        (4L * _vectors.Length) + _levels.Length + (4L * _layer0.Length) + (4L * _upperOffset.Length) + (4L * _upper.Length);

    private int Degree0 => 2 * Options.M;

    /// <summary>
    /// Builds an index over <paramref name="vectors"/>: row-major, <paramref name="dimension"/> floats per item;
    /// item ids are row numbers.
    /// </summary>
    public static HnswIndex Build(ReadOnlySpan<float> vectors, int dimension, HnswOptions? options = null)
    {
        options ??= new HnswOptions();
        options.Validate();
        if (dimension < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Dimension must be at least 1.");
        }

        if (vectors.Length % dimension != 0)
        {
            throw new ArgumentException(
                $"Vector data has {vectors.Length} floats, which is not a multiple of the dimension {dimension}.", nameof(vectors));
        }

        var count = vectors.Length / dimension;
        var copy = vectors.ToArray();
        CheckFinite(copy, count, dimension);
        var levels = DrawLevels(count, options);
        var upperOffset = new int[count];
        var upperLength = 0L;
        for (var i = 0; i < count; i++)
        {
            upperOffset[i] = (int)upperLength;
            upperLength += (long)levels[i] * (options.M + 1);
        }

        if (upperLength > Array.MaxLength || (long)count * ((2 * options.M) + 1) > Array.MaxLength)
        {
            throw new ArgumentException($"{count} items with M={options.M} exceed the largest array .NET can allocate.", nameof(vectors));
        }

        var index = new HnswIndex(
            count, dimension, options, copy, levels, new int[count * ((2 * options.M) + 1)], upperOffset, new int[upperLength], entry: 0, topLevel: 0);
        new Builder(index).InsertAll();
        return index;
    }

    /// <summary>
    /// Writes the ids and inner-product scores of the (approximately) top <paramref name="k"/> items for
    /// <paramref name="query"/> into <paramref name="ids"/> and <paramref name="scores"/>, best first, and
    /// returns how many were written (at most k, the span lengths and <see cref="Count"/>).
    /// </summary>
    /// <param name="efSearch">Beam width; 0 uses <see cref="HnswOptions.EfSearch"/>. Raised to k when smaller.</param>
    public int Search(ReadOnlySpan<float> query, int k, Span<int> ids, Span<float> scores, int efSearch = 0) =>
        SearchCore(query, k, ids, scores, efSearch, default(AllowAll));

    /// <summary>As <see cref="Search(ReadOnlySpan{float}, int, Span{int}, Span{float}, int)"/>, never returning an item whose bit is set in <paramref name="excluded"/> (bit <c>i % 64</c> of word <c>i / 64</c>; ids past the end are allowed).</summary>
    public int Search(ReadOnlySpan<float> query, int k, Span<int> ids, Span<float> scores, ReadOnlySpan<ulong> excluded, int efSearch = 0) =>
        SearchCore(query, k, ids, scores, efSearch, new ExcludeBits(excluded));

    /// <summary>As <see cref="Search(ReadOnlySpan{float}, int, Span{int}, Span{float}, int)"/>, never returning an item for which <paramref name="exclude"/> is true.</summary>
    public int Search(ReadOnlySpan<float> query, int k, Span<int> ids, Span<float> scores, Func<int, bool> exclude, int efSearch = 0)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        return SearchCore(query, k, ids, scores, efSearch, new ExcludePredicate(exclude));
    }

    /// <summary>Exact inner product of <paramref name="query"/> with item <paramref name="id"/>.</summary>
    public float Score(ReadOnlySpan<float> query, int id)
    {
        CheckQuery(query);
        return TensorPrimitives.Dot(query, Vector(id));
    }

    private int SearchCore<TFilter>(ReadOnlySpan<float> query, int k, Span<int> ids, Span<float> scores, int efSearch, TFilter filter)
        where TFilter : IItemFilter, allows ref struct
    {
        CheckQuery(query);
        k = Math.Min(k, Math.Min(ids.Length, scores.Length));
        if (k <= 0 || Count == 0)
        {
            return 0;
        }

        var ef = Math.Max(efSearch > 0 ? efSearch : Options.EfSearch, k);
        var distance = new QueryDistance(this, query);
        var ep = _entry;
        var epDist = distance.To(ep);
        for (var layer = _topLevel; layer > 0; layer--)
        {
            (ep, epDist) = Greedy(distance, ep, epDist, layer);
        }

        var scratch = SearchScratch.Rent(Count);
        SearchLayer(distance, new ReadOnlySpan<int>(in ep), ef, 0, scratch, filter);
        var results = scratch.Results;
        while (results.Count > k)
        {
            results.Pop();
        }

        var n = results.Count;
        for (var i = n - 1; i >= 0; i--)
        {
            ids[i] = results.TopId;
            scores[i] = -results.TopDistance;
            results.Pop();
        }

        return n;
    }

    private void CheckQuery(ReadOnlySpan<float> query)
    {
        if (query.Length != Dimension)
        {
            ThrowDimensionMismatch(query.Length);
        }
    }

    private void ThrowDimensionMismatch(int length) =>
        throw new ArgumentException($"Query has {length} values but the index has dimension {Dimension}.", "query");

    private ReadOnlySpan<float> Vector(int id) => new(_vectors, id * Dimension, Dimension);

    // Negated inner product: smaller is nearer (see remarks for why not a metric).
    private float ItemDistance(int a, int b) => -TensorPrimitives.Dot(Vector(a), Vector(b));

    private Span<int> Links(int id, int layer) =>
        layer == 0
            ? new Span<int>(_layer0, id * (Degree0 + 1), Degree0 + 1)
            : new Span<int>(_upper, _upperOffset[id] + ((layer - 1) * (Options.M + 1)), Options.M + 1);

    private (int Id, float Distance) Greedy<TDistance>(TDistance q, int ep, float epDist, int layer)
        where TDistance : IDistance, allows ref struct
    {
        var changed = true;
        while (changed)
        {
            changed = false;
            var links = Links(ep, layer);
            var n = links[0];
            for (var j = 1; j <= n; j++)
            {
                var e = links[j];
                var d = q.To(e);
                if (d < epDist)
                {
                    epDist = d;
                    ep = e;
                    changed = true;
                }
            }
        }

        return (ep, epDist);
    }

    // Algorithm 2 of the paper; results are left in scratch.Results (a max-heap of at most ef allowed items).
    private void SearchLayer<TDistance, TFilter>(TDistance q, ReadOnlySpan<int> entries, int ef, int layer, SearchScratch scratch, TFilter filter)
        where TDistance : IDistance, allows ref struct
        where TFilter : IItemFilter, allows ref struct
    {
        var candidates = scratch.Candidates;
        var results = scratch.Results;
        candidates.Clear();
        results.Clear();
        foreach (var ep in entries)
        {
            if (!scratch.Visit(ep))
            {
                continue;
            }

            var d = q.To(ep);
            candidates.Push(d, ep);
            if (filter.Allows(ep))
            {
                results.Push(d, ep);
            }
        }

        while (results.Count > ef)
        {
            results.Pop();
        }

        var bound = results.Count > 0 ? results.TopDistance : float.PositiveInfinity;
        while (candidates.Count > 0)
        {
            var c = candidates.TopId;
            var cd = candidates.TopDistance;
            if (cd > bound && results.Count >= ef)
            {
                break;
            }

            candidates.Pop();
            var links = Links(c, layer);
            var n = links[0];
            for (var j = 1; j <= n; j++)
            {
                var e = links[j];
                if (!scratch.Visit(e))
                {
                    continue;
                }

                var d = q.To(e);
                if (results.Count < ef || d < bound)
                {
                    candidates.Push(d, e);
                    if (filter.Allows(e))
                    {
                        results.Push(d, e);
                        if (results.Count > ef)
                        {
                            results.Pop();
                        }

                        bound = results.TopDistance;
                    }
                }
            }
        }
    }

    private static void CheckFinite(float[] vectors, int count, int dimension)
    {
        for (var i = 0; i < count; i++)
        {
            var row = new ReadOnlySpan<float>(vectors, i * dimension, dimension);
            if (!float.IsFinite(TensorPrimitives.Sum(row)) || !float.IsFinite(TensorPrimitives.SumOfSquares(row)))
            {
                throw new ArgumentException($"Vector {i} contains a NaN or infinite value.", nameof(vectors));
            }
        }
    }

    private static byte[] DrawLevels(int count, HnswOptions options)
    {
        var rng = new Random(options.Seed);
        var mL = 1.0 / Math.Log(options.M);
        var levels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var level = (int)(-Math.Log(1.0 - rng.NextDouble()) * mL);
            levels[i] = (byte)Math.Min(level, MaxLevel);
        }

        return levels;
    }

    private interface IDistance
    {
        float To(int id);
    }

    private readonly ref struct QueryDistance(HnswIndex index, ReadOnlySpan<float> query) : IDistance
    {
        private readonly ReadOnlySpan<float> _query = query;

        public float To(int id) => -TensorPrimitives.Dot(_query, index.Vector(id));
    }

    private readonly struct ItemDistanceTo(HnswIndex index, int item) : IDistance
    {
        public float To(int id) => index.ItemDistance(item, id);
    }
}
