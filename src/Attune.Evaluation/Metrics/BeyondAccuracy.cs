namespace Attune.Evaluation.Metrics;

/// <summary>
/// List-level measures that say what kind of items a model recommends, beside whether they were right.
/// </summary>
/// <remarks>
/// Novelty is the mean self-information -log2(p) of recommended items, p being the share of training users
/// who have the item (Zhou et al. 2010, PNAS 107(10)); an item nobody has is counted as if one user had it,
/// so novelty stays finite. Average recommendation popularity (ARP) is the mean number of training users
/// per recommended item (Abdollahpouri et al. 2019): higher means a stronger popularity bias. Intra-list
/// diversity (Ziegler et al. 2005) is the mean over item pairs of a list of 1 - Jaccard(categories), over
/// pairs where both items have categories. Catalog coverage is the share of all items that appear in at
/// least one list.
/// </remarks>
public static class BeyondAccuracy
{
    public static double SelfInformation(int itemUserCount, int userCount) =>
        -Math.Log2(Math.Max(itemUserCount, 1) / (double)Math.Max(userCount, 1));

    /// <summary>Mean self-information of the first <paramref name="k"/> items of a list; NaN when empty.</summary>
    public static double Novelty(ReadOnlySpan<int> ranked, int k, ReadOnlySpan<int> itemUserCounts, int userCount)
    {
        var n = Math.Min(k, ranked.Length);
        if (n == 0)
        {
            return double.NaN;
        }

        var sum = 0.0;
        for (var p = 0; p < n; p++)
        {
            sum += SelfInformation(itemUserCounts[ranked[p]], userCount);
        }

        return sum / n;
    }

    /// <summary>Mean training popularity (distinct users) of the first <paramref name="k"/> items; NaN when empty.</summary>
    public static double AveragePopularity(ReadOnlySpan<int> ranked, int k, ReadOnlySpan<int> itemUserCounts)
    {
        var n = Math.Min(k, ranked.Length);
        if (n == 0)
        {
            return double.NaN;
        }

        var sum = 0.0;
        for (var p = 0; p < n; p++)
        {
            sum += itemUserCounts[ranked[p]];
        }

        return sum / n;
    }

    /// <summary>Mean pairwise 1 - Jaccard of category sets over the first <paramref name="k"/> items; NaN when no pair has categories.</summary>
    public static double IntraListDiversity(ReadOnlySpan<int> ranked, int k, IReadOnlyList<string[]> categories)
    {
        var n = Math.Min(k, ranked.Length);
        var pairs = 0;
        var sum = 0.0;
        for (var a = 0; a < n; a++)
        {
            var ca = categories[ranked[a]];
            if (ca.Length == 0)
            {
                continue;
            }

            for (var b = a + 1; b < n; b++)
            {
                var cb = categories[ranked[b]];
                if (cb.Length == 0)
                {
                    continue;
                }

                sum += 1.0 - Jaccard(ca, cb);
                pairs++;
            }
        }

        return pairs == 0 ? double.NaN : sum / pairs;
    }

    public static double Jaccard(string[] a, string[] b)
    {
        var common = 0;
        foreach (var x in a)
        {
            if (Array.IndexOf(b, x) >= 0)
            {
                common++;
            }
        }

        var union = a.Length + b.Length - common;
        return union == 0 ? 0 : (double)common / union;
    }
}
