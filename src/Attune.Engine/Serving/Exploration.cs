namespace Attune.Engine.Serving;

/// <param name="Share">Fraction of list slots in [0, 0.5] given to exploration items; 0 = off.</param>
public sealed record ExplorationOptions(double Share = 0)
{
    public static ExplorationOptions Off { get; } = new(0);

    public void Validate(string field)
    {
        if (!(Share is >= 0 and <= 0.5))
        {
            throw new RecommendationRequestException($"{field}.share", $"share must be in [0, 0.5], got {Share}");
        }
    }
}

/// <summary>
/// Stage 5: gives a share of the slots to fresh or under-exposed items so that they collect feedback.
/// Slot positions are fixed by the share alone: the j-th exploration slot (j = 0, 1, ...) is
/// <c>floor((j + 1) / share) - 1</c>, e.g. share 0.1 gives positions 9, 19, 29 (the last of every ten) and share 0.25
/// gives 3, 7, 11; the top of the list stays exploitative. Exploration items are inserted there, pushing the ranked
/// items down (the list keeps its length). Which pool items are used is decided by a seeded hash, so the same seed
/// (e.g. derived from the request id) gives the same items, and different requests rotate through the pool.
/// </summary>
/// <remarks>O(pool log pool) for ordering the allowed pool items by hash.</remarks>
public static class Exploration
{
    public const string SourceName = "exploration";

    /// <summary>The 0-based exploration slots of a list of <paramref name="length"/> items.</summary>
    public static int[] SlotPositions(double share, int length)
    {
        if (share <= 0 || length <= 0)
        {
            return [];
        }

        var slots = new List<int>();
        for (var j = 0; ; j++)
        {
            var position = (int)Math.Floor((j + 1) / share) - 1;
            if (position >= length)
            {
                break;
            }

            slots.Add(position);
        }

        return [.. slots];
    }

    /// <summary>
    /// Inserts exploration items into <paramref name="list"/> at the slot positions, skipping pool items the filter
    /// refuses or that are already in the list; the list is truncated back to <paramref name="length"/>.
    /// </summary>
    public static void Apply(List<Candidate> list, int length, double share, IReadOnlyList<int>? pool, CandidateFilter filter, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(filter);
        if (pool is null || pool.Count == 0 || share <= 0)
        {
            return;
        }

        var slots = SlotPositions(share, length);
        if (slots.Length == 0)
        {
            return;
        }

        var present = new HashSet<int>(list.Count);
        foreach (var c in list)
        {
            present.Add(c.Item);
        }

        var keys = new List<ulong>(pool.Count);
        var items = new List<int>(pool.Count);
        foreach (var item in pool)
        {
            if (!present.Contains(item) && filter.Allows(item) && present.Add(item))
            {
                keys.Add(Mix(seed ^ (ulong)(uint)item));
                items.Add(item);
            }
        }

        var keyArray = keys.ToArray();
        var itemArray = items.ToArray();
        Array.Sort(keyArray, itemArray);
        var next = 0;
        foreach (var position in slots)
        {
            if (next >= itemArray.Length || position > list.Count)
            {
                break;
            }

            list.Insert(position, new Candidate(itemArray[next++], 0, SourceName, Reason.Exploration));
        }

        if (list.Count > length)
        {
            list.RemoveRange(length, list.Count - length);
        }
    }

    /// <summary>A stable 64-bit seed from a request id (FNV-1a; string.GetHashCode is randomized per process).</summary>
    public static ulong SeedFrom(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = 14695981039346656037UL;
        foreach (var ch in text)
        {
            hash = (hash ^ ch) * 1099511628211UL;
        }

        return hash;
    }

    // SplitMix64 finalizer: spreads nearby item indices across the key space.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// Stage 6 (last to change the order): pins. For each pin rule, in order of position (then rule order), the best-scoring
/// candidate matching its condition that is not pinned already is moved to that 0-based position; the other items keep
/// their order around it. A pin past the end of a shorter list goes to the end. Pins ignore the category cap and
/// burying (they are explicit), but never bring back a filtered item.
/// </summary>
public static class Pinning
{
    /// <param name="rankedAll">Every filtered, scored candidate in rank order: where pinned items are looked for.</param>
    public static void Apply(ServingCatalog catalog, List<Candidate> list, int length, ReadOnlySpan<Candidate> rankedAll, IReadOnlyList<CompiledRule> pins)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(list);
        if (pins.Count == 0)
        {
            return;
        }

        var order = new int[pins.Count];
        var positions = new int[pins.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            positions[i] = pins[i].Rule.Position;
        }

        // Stable by rule order for equal positions.
        Array.Sort(order, (a, b) => positions[a] != positions[b] ? positions[a].CompareTo(positions[b]) : a.CompareTo(b));
        var pinned = new List<(int Position, Candidate Candidate)>(pins.Count);
        var used = new HashSet<int>();
        foreach (var p in order)
        {
            var matches = pins[p].Condition.AsFunc();
            foreach (var c in rankedAll)
            {
                var item = catalog[c.Item];
                if (item is not null && !used.Contains(c.Item) && matches(item))
                {
                    used.Add(c.Item);
                    pinned.Add((positions[p], c));
                    break;
                }
            }
        }

        if (pinned.Count == 0)
        {
            return;
        }

        list.RemoveAll(c => used.Contains(c.Item));
        foreach (var (position, candidate) in pinned)
        {
            list.Insert(Math.Min(position, list.Count), candidate);
        }

        // Trim from the tail, but never a pinned item: pins past the list length still show, at its end.
        for (var i = list.Count - 1; i >= 0 && list.Count > length; i--)
        {
            if (!used.Contains(list[i].Item))
            {
                list.RemoveAt(i);
            }
        }

        if (list.Count > length)
        {
            list.RemoveRange(length, list.Count - length);
        }
    }
}
