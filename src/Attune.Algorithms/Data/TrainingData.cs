namespace Attune.Algorithms.Data;

/// <summary>
/// Everything a trainer may learn from. <see cref="Matrix"/> is the aggregated, weighted user-item matrix
/// (what most models use). <see cref="Interactions"/> keeps the raw time-ordered rows for models that care
/// about order and time (trending, sequence). <see cref="ItemFeatures"/> is optional catalog content.
/// </summary>
public sealed class TrainingData
{
    public TrainingData(UserItemMatrix matrix, IdMap users, IdMap items, InteractionLog? interactions = null, ItemFeatures? itemFeatures = null)
    {
        if (matrix.Users != users.Count || matrix.Items != items.Count)
        {
            throw new ArgumentException($"Matrix is {matrix.Users}x{matrix.Items} but the id maps hold {users.Count} users and {items.Count} items.");
        }

        Matrix = matrix;
        Users = users;
        Items = items;
        Interactions = interactions;
        ItemFeatures = itemFeatures;
    }

    public UserItemMatrix Matrix { get; }

    public IdMap Users { get; }

    public IdMap Items { get; }

    public InteractionLog? Interactions { get; }

    public ItemFeatures? ItemFeatures { get; }
}

/// <summary>
/// Raw interactions in time order (ties in arrival order), with dense indices and signed weights.
/// Timestamps are Unix milliseconds (0 when the source had none).
/// </summary>
public sealed class InteractionLog
{
    public InteractionLog(int[] user, int[] item, float[] weight, long[] timestampMs)
    {
        if (item.Length != user.Length || weight.Length != user.Length || timestampMs.Length != user.Length)
        {
            throw new ArgumentException("All columns must have the same length.");
        }

        User = user;
        Item = item;
        Weight = weight;
        TimestampMs = timestampMs;
    }

    public int[] User { get; }

    public int[] Item { get; }

    public float[] Weight { get; }

    public long[] TimestampMs { get; }

    public int Count => User.Length;
}

/// <summary>Catalog content per dense item index, for content-based models, diversity and reports.</summary>
public sealed class ItemFeatures(string?[] titles, string?[] texts, string[][] categories, string[][] tags)
{
    public string?[] Titles { get; } = titles;

    public string?[] Texts { get; } = texts;

    public string[][] Categories { get; } = categories;

    public string[][] Tags { get; } = tags;

    public int Count => Titles.Length;
}
