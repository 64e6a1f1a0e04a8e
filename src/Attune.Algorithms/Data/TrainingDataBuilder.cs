using Attune.Core;

namespace Attune.Algorithms.Data;

/// <summary>
/// Turns raw interactions into an immutable <see cref="TrainingData"/>: signed per-type weights, optional
/// time decay, aggregation of repeated user-item rows, removal of pairs whose total is not positive, and the
/// time-ordered log for order-aware models.
/// </summary>
/// <remarks>
/// Pass fixed id maps (the user and item universe) to give a train split and a test split the same indices:
/// every item of the universe is then a column of the matrix, even one that only the test split touches,
/// so models rank over all items. O(n log n) for n rows (a per-user sort of the rows).
/// </remarks>
public static class TrainingDataBuilder
{
    /// <summary>Builds from a store or dataset snapshot.</summary>
    /// <param name="users">The user universe; null builds it from the snapshot. Snapshot users missing from it are an error.</param>
    /// <param name="items">The item universe; null builds it from the snapshot. Snapshot items missing from it are an error.</param>
    public static TrainingData FromSnapshot(
        InteractionSnapshot snapshot,
        TrainingDataOptions? options = null,
        EventTypeRegistry? eventTypes = null,
        IdMap? users = null,
        IdMap? items = null,
        ItemFeatures? itemFeatures = null)
    {
        options ??= new TrainingDataOptions();
        eventTypes ??= EventTypeRegistry.Default;
        users ??= new IdMap(snapshot.UserIds);
        items ??= new IdMap(snapshot.ItemIds);
        var userRemap = Remap(snapshot.UserIds, users);
        var itemRemap = Remap(snapshot.ItemIds, items);

        var typeWeight = new float[snapshot.Types.Length];
        var isRating = new bool[snapshot.Types.Length];
        for (var t = 0; t < typeWeight.Length; t++)
        {
            typeWeight[t] = eventTypes.SignedWeight(snapshot.Types[t]);
            isRating[t] = string.Equals(snapshot.Types[t], options.RatingType, StringComparison.Ordinal);
        }

        var n = snapshot.Count;
        var u = new int[n];
        var i = new int[n];
        var w = new float[n];
        for (var r = 0; r < n; r++)
        {
            var type = snapshot.TypeIndex[r];
            if (type >= typeWeight.Length)
            {
                throw new ArgumentException($"Snapshot row {r} has type index {type}, but only {typeWeight.Length} types are named.", nameof(snapshot));
            }

            u[r] = Translate(userRemap, CheckIndex(snapshot.UserIndex[r], userRemap.Length, r, "user"), snapshot.UserIds, users, "user");
            i[r] = Translate(itemRemap, CheckIndex(snapshot.ItemIndex[r], itemRemap.Length, r, "item"), snapshot.ItemIds, items, "item");
            var weight = typeWeight[type];
            var value = snapshot.Value[r];
            if (isRating[type] && float.IsFinite(value))
            {
                weight = options.RatingWeighting switch
                {
                    RatingWeighting.Value => weight * value,
                    RatingWeighting.Centered => weight * (value - options.RatingCenter),
                    _ => weight,
                };
            }

            w[r] = weight;
        }

        return Build(users, items, u, i, w, snapshot.TimestampMs, options, itemFeatures);
    }

    /// <summary>
    /// Builds from plain columns whose indices already point into <paramref name="users"/> and
    /// <paramref name="items"/>. Weights are taken as given (signed); <paramref name="timestampMs"/> may be
    /// empty when the source has no times, and need not be sorted (rows are ordered by time, ties by position).
    /// </summary>
    public static TrainingData FromColumns(
        IdMap users,
        IdMap items,
        ReadOnlySpan<int> user,
        ReadOnlySpan<int> item,
        ReadOnlySpan<float> weight,
        ReadOnlySpan<long> timestampMs = default,
        TrainingDataOptions? options = null,
        ItemFeatures? itemFeatures = null)
    {
        var n = user.Length;
        if (item.Length != n || weight.Length != n || (timestampMs.Length != 0 && timestampMs.Length != n))
        {
            throw new ArgumentException($"Columns differ in length: user {n}, item {item.Length}, weight {weight.Length}, timestamp {timestampMs.Length}.");
        }

        for (var r = 0; r < n; r++)
        {
            CheckIndex(user[r], users.Count, r, "user");
            CheckIndex(item[r], items.Count, r, "item");
        }

        return Build(users, items, user.ToArray(), item.ToArray(), weight.ToArray(), timestampMs.Length == 0 ? new long[n] : timestampMs.ToArray(), options ?? new TrainingDataOptions(), itemFeatures);
    }

    /// <summary>Like <see cref="FromColumns(IdMap, IdMap, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{long}, TrainingDataOptions?, ItemFeatures?)"/> with ids "0".."count-1".</summary>
    public static TrainingData FromColumns(
        int userCount,
        int itemCount,
        ReadOnlySpan<int> user,
        ReadOnlySpan<int> item,
        ReadOnlySpan<float> weight,
        ReadOnlySpan<long> timestampMs = default,
        TrainingDataOptions? options = null,
        ItemFeatures? itemFeatures = null) =>
        FromColumns(IndexIds(userCount), IndexIds(itemCount), user, item, weight, timestampMs, options, itemFeatures);

    /// <summary>An id map whose ids are the indices themselves ("0", "1", ...), for datasets that come pre-indexed.</summary>
    public static IdMap IndexIds(int count)
    {
        var map = new IdMap();
        for (var k = 0; k < count; k++)
        {
            map.GetOrAdd(k.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return map;
    }

    private static TrainingData Build(IdMap users, IdMap items, int[] user, int[] item, float[] weight, long[] time, TrainingDataOptions options, ItemFeatures? itemFeatures)
    {
        if (itemFeatures is not null && itemFeatures.Count != items.Count)
        {
            throw new ArgumentException($"Item features cover {itemFeatures.Count} items, the item map holds {items.Count}.", nameof(itemFeatures));
        }

        if (options.HalfLifeDays < 0 || double.IsNaN(options.HalfLifeDays))
        {
            throw new ArgumentException($"HalfLifeDays must be 0 (off) or positive, got {options.HalfLifeDays}.", nameof(options));
        }

        var n = user.Length;
        for (var r = 0; r < n; r++)
        {
            if (!float.IsFinite(weight[r]))
            {
                throw new ArgumentException($"Row {r} has a non-finite weight {weight[r]}.", nameof(weight));
            }
        }

        SortByTime(ref user, ref item, ref weight, ref time);

        var log = options.KeepInteractionLog ? new InteractionLog(user, item, weight, time) : null;
        var decayed = weight;
        if (options.HalfLifeDays > 0 && n > 0)
        {
            var reference = options.ReferenceTimeMs ?? time[n - 1];
            var halfLifeMs = options.HalfLifeDays * 86_400_000d;
            decayed = new float[n];
            for (var r = 0; r < n; r++)
            {
                var age = Math.Max(0, reference - time[r]);
                decayed[r] = (float)(weight[r] * Math.Pow(2, -age / halfLifeMs));
            }
        }

        var matrix = Aggregate(users.Count, items.Count, user, item, decayed, options.Aggregation);
        return new TrainingData(new UserItemMatrix(matrix), users, items, log, itemFeatures);
    }

    /// <summary>Stable sort by time; nothing is copied when the rows are already in order (the usual case for logs).</summary>
    private static void SortByTime(ref int[] user, ref int[] item, ref float[] weight, ref long[] time)
    {
        var sorted = true;
        for (var r = 1; r < time.Length && sorted; r++)
        {
            sorted = time[r - 1] <= time[r];
        }

        if (sorted)
        {
            return;
        }

        var order = new int[time.Length];
        for (var r = 0; r < order.Length; r++)
        {
            order[r] = r;
        }

        var t = time;
        Array.Sort(order, (a, b) => t[a] != t[b] ? t[a].CompareTo(t[b]) : a.CompareTo(b));
        user = Permute(user, order);
        item = Permute(item, order);
        weight = Permute(weight, order);
        time = Permute(time, order);
    }

    private static T[] Permute<T>(T[] source, int[] order)
    {
        var result = new T[source.Length];
        for (var r = 0; r < order.Length; r++)
        {
            result[r] = source[order[r]];
        }

        return result;
    }

    private static CsrMatrix Aggregate(int rows, int columns, int[] user, int[] item, float[] weight, DuplicateAggregation aggregation)
    {
        // Neutral rows (weight 0) change neither a sum nor whether a pair ends up positive, so they are skipped.
        var start = new int[rows + 1];
        for (var r = 0; r < user.Length; r++)
        {
            if (weight[r] != 0)
            {
                start[user[r] + 1]++;
            }
        }

        for (var u = 0; u < rows; u++)
        {
            start[u + 1] += start[u];
        }

        var cols = new int[start[rows]];
        var vals = new float[start[rows]];
        var next = (int[])start.Clone();
        for (var r = 0; r < user.Length; r++)
        {
            if (weight[r] != 0)
            {
                var p = next[user[r]]++;
                cols[p] = item[r];
                vals[p] = weight[r];
            }
        }

        var outStart = new int[rows + 1];
        var w = 0;
        for (var u = 0; u < rows; u++)
        {
            var s = start[u];
            var e = start[u + 1];

            // Neither a sum nor a max depends on the order of a pair's rows, so an unstable sort is fine.
            Array.Sort(cols, vals, s, e - s);
            outStart[u] = w;
            var k = s;
            while (k < e)
            {
                var c = cols[k];
                var total = vals[k];
                k++;
                while (k < e && cols[k] == c)
                {
                    total = aggregation == DuplicateAggregation.Max ? Math.Max(total, vals[k]) : total + vals[k];
                    k++;
                }

                if (total > 0)
                {
                    cols[w] = c;
                    vals[w] = total;
                    w++;
                }
            }
        }

        outStart[rows] = w;
        Array.Resize(ref cols, w);
        Array.Resize(ref vals, w);
        return new CsrMatrix(rows, columns, outStart, cols, vals);
    }

    /// <summary>Snapshot index to universe index; -1 for an id outside the universe (an error only if a row uses it).</summary>
    private static int[] Remap(string[] ids, IdMap universe)
    {
        var remap = new int[ids.Length];
        for (var k = 0; k < ids.Length; k++)
        {
            remap[k] = universe.IndexOf(ids[k]);
        }

        return remap;
    }

    private static int Translate(int[] remap, int index, string[] ids, IdMap universe, string what) =>
        remap[index] >= 0
            ? remap[index]
            : throw new ArgumentException($"The snapshot's {what} '{ids[index]}' is not in the given {what} universe ({universe.Count} ids).");

    private static int CheckIndex(int index, int count, int row, string what) =>
        (uint)index < (uint)count
            ? index
            : throw new ArgumentException($"Row {row} has {what} index {index}, outside 0..{count - 1}.");
}
