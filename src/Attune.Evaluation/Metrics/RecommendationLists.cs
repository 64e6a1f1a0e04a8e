namespace Attune.Evaluation.Metrics;

/// <summary>Top-N lists for a set of users, stored flat: user slot s holds <c>Items[s*N .. s*N+Counts[s]]</c>.</summary>
public sealed class RecommendationLists
{
    public RecommendationLists(int[] users, int length)
    {
        Users = users;
        Length = length;
        Items = new int[users.Length * length];
        Counts = new int[users.Length];
    }

    /// <summary>The user index of each slot.</summary>
    public int[] Users { get; }

    /// <summary>The longest list a slot may hold (the largest K).</summary>
    public int Length { get; }

    public int[] Items { get; }

    public int[] Counts { get; }

    public ReadOnlySpan<int> Of(int slot) => Items.AsSpan(slot * Length, Counts[slot]);

    public void Set(int slot, ReadOnlySpan<int> items)
    {
        var n = Math.Min(items.Length, Length);
        items[..n].CopyTo(Items.AsSpan(slot * Length, Length));
        Counts[slot] = n;
    }
}
