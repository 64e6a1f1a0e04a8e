namespace Attune.Core;

/// <summary>
/// A compact columnar copy of interactions for training: one array per column, no object per row.
/// Row r is (UserIndex[r], ItemIndex[r], TypeIndex[r], Value[r], Timestamp[r]); rows are in log order
/// (by time, ties by arrival). User and item indices are dense, 0-based, and map back through
/// <see cref="UserIds"/> and <see cref="ItemIds"/>.
/// </summary>
public sealed class InteractionSnapshot
{
    public InteractionSnapshot(
        string[] userIds,
        string[] itemIds,
        string[] types,
        int[] userIndex,
        int[] itemIndex,
        byte[] typeIndex,
        float[] value,
        long[] timestampMs)
    {
        var n = userIndex.Length;
        if (itemIndex.Length != n || typeIndex.Length != n || value.Length != n || timestampMs.Length != n)
        {
            throw new ArgumentException("All columns of a snapshot must have the same length.");
        }

        UserIds = userIds;
        ItemIds = itemIds;
        Types = types;
        UserIndex = userIndex;
        ItemIndex = itemIndex;
        TypeIndex = typeIndex;
        Value = value;
        TimestampMs = timestampMs;
    }

    public string[] UserIds { get; }

    public string[] ItemIds { get; }

    /// <summary>The event type names; <see cref="TypeIndex"/> points into this array.</summary>
    public string[] Types { get; }

    public int[] UserIndex { get; }

    public int[] ItemIndex { get; }

    public byte[] TypeIndex { get; }

    /// <summary>The event's value (rating, price, dwell seconds), or NaN when it had none.</summary>
    public float[] Value { get; }

    /// <summary>Unix milliseconds.</summary>
    public long[] TimestampMs { get; }

    public int Count => UserIndex.Length;
}
