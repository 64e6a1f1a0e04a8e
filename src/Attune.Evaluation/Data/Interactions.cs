using Attune.Algorithms.Data;

namespace Attune.Evaluation.Data;

/// <summary>
/// Interaction rows as an evaluation protocol sees them: (user, item, time, weight) in file order, with
/// dense indices into id maps that every subset shares, so a train part and a test part always agree on
/// what index 17 means and models rank over the whole catalog.
/// </summary>
public sealed class Interactions
{
    public Interactions(IdMap users, IdMap items, int[] user, int[] item, long[] timestampMs, float[] weight, ItemFeatures? itemFeatures = null)
    {
        var n = user.Length;
        if (item.Length != n || timestampMs.Length != n || weight.Length != n)
        {
            throw new ArgumentException("All interaction columns must have the same length.");
        }

        if (itemFeatures is not null && itemFeatures.Count != items.Count)
        {
            throw new ArgumentException($"Item features cover {itemFeatures.Count} items but the item map holds {items.Count}.", nameof(itemFeatures));
        }

        Users = users;
        Items = items;
        User = user;
        Item = item;
        TimestampMs = timestampMs;
        Weight = weight;
        ItemFeatures = itemFeatures;
    }

    public IdMap Users { get; }

    public IdMap Items { get; }

    public int[] User { get; }

    public int[] Item { get; }

    /// <summary>Unix milliseconds; 0 when the source had no time.</summary>
    public long[] TimestampMs { get; }

    public float[] Weight { get; }

    /// <summary>Catalog content per item index (categories for diversity), when the dataset has it.</summary>
    public ItemFeatures? ItemFeatures { get; }

    public int Count => User.Length;

    public int UserCount => Users.Count;

    public int ItemCount => Items.Count;

    /// <summary>The rows at <paramref name="rows"/>, in that order, over the same id maps.</summary>
    public Interactions Subset(ReadOnlySpan<int> rows)
    {
        var u = new int[rows.Length];
        var i = new int[rows.Length];
        var t = new long[rows.Length];
        var w = new float[rows.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            var r = rows[k];
            u[k] = User[r];
            i[k] = Item[r];
            t[k] = TimestampMs[r];
            w[k] = Weight[r];
        }

        return new Interactions(Users, Items, u, i, t, w, ItemFeatures);
    }

    /// <summary>Row indices grouped by user, each group in file order.</summary>
    public int[][] RowsByUser()
    {
        var counts = new int[UserCount];
        foreach (var u in User)
        {
            counts[u]++;
        }

        var groups = new int[UserCount][];
        for (var u = 0; u < groups.Length; u++)
        {
            groups[u] = counts[u] == 0 ? [] : new int[counts[u]];
        }

        Array.Clear(counts);
        for (var r = 0; r < Count; r++)
        {
            var u = User[r];
            groups[u][counts[u]++] = r;
        }

        return groups;
    }

    /// <summary>
    /// The training data models fit on, built as the engine builds it (<see cref="TrainingDataBuilder"/>):
    /// every user and item of the dataset keeps its index (users or items with no rows here get empty
    /// rows/columns), repeated (user, item) rows combine, and the raw rows are kept in time order (ties in
    /// file order) for sequence-aware models.
    /// </summary>
    public TrainingData ToTrainingData(TrainingDataOptions? options = null) =>
        TrainingDataBuilder.FromColumns(Users, Items, User, Item, Weight, TimestampMs, options, ItemFeatures);
}
