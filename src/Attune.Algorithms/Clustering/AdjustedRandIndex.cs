namespace Attune.Algorithms.Clustering;

/// <summary>Agreement between two partitions of the same items, corrected for chance.</summary>
/// <remarks>
/// Hubert and Arabie, "Comparing partitions", Journal of Classification 2, 1985:
/// ARI = (Σᵢⱼ C(nᵢⱼ,2) − E) / (½(Σᵢ C(aᵢ,2) + Σⱼ C(bⱼ,2)) − E), E = Σᵢ C(aᵢ,2)·Σⱼ C(bⱼ,2) / C(n,2),
/// from the contingency table nᵢⱼ with row sums aᵢ and column sums bⱼ. 1 for identical partitions (up to
/// relabelling), about 0 for independent ones, negative below chance. O(n) with a hash of label pairs.
/// </remarks>
public static class AdjustedRandIndex
{
    public static double Compute(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Partitions of {a.Length} and {b.Length} items cannot be compared.", nameof(b));
        }

        var n = a.Length;
        var pairs = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var columns = new Dictionary<int, long>();
        for (var i = 0; i < n; i++)
        {
            pairs[(a[i], b[i])] = pairs.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            columns[b[i]] = columns.GetValueOrDefault(b[i]) + 1;
        }

        static double Choose2(long x) => x * (x - 1) / 2.0;
        var index = pairs.Values.Sum(Choose2);
        var sumA = rows.Values.Sum(Choose2);
        var sumB = columns.Values.Sum(Choose2);
        var expected = n < 2 ? 0 : sumA * sumB / Choose2(n);
        var max = 0.5 * (sumA + sumB);
        // Both partitions trivial (all one cluster, or all singletons): they agree perfectly.
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }
}
