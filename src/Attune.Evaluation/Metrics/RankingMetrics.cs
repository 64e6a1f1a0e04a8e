namespace Attune.Evaluation.Metrics;

/// <summary>
/// Per-user top-K accuracy with binary relevance. <c>ranked</c> is the recommendation list, best first
/// (it may be shorter than K when a model returns fewer items: missing places are misses);
/// <c>relevant</c> is the user's sorted, distinct relevant items.
/// </summary>
/// <remarks>
/// Definitions follow docs/REFERENCE: Precision@K = hits / K; Recall@K = hits / |relevant|; HR@K = 1 when any
/// hit; NDCG@K = DCG / IDCG with DCG = sum over hit positions p (1-based) of 1 / log2(p + 1) and IDCG the DCG
/// of min(K, |relevant|) hits at the top; MRR@K = 1 / position of the first hit; AP@K = sum over hit positions
/// p of precision@p, divided by min(K, |relevant|) (so a perfect list scores 1), MAP@K its mean.
/// Each is O(K log |relevant|).
/// </remarks>
public static class RankingMetrics
{
    public static int Hits(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, int k)
    {
        var hits = 0;
        var n = Math.Min(k, ranked.Length);
        for (var p = 0; p < n; p++)
        {
            if (relevant.BinarySearch(ranked[p]) >= 0)
            {
                hits++;
            }
        }

        return hits;
    }

    public static double Precision(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, int k) =>
        (double)Hits(ranked, relevant, k) / k;

    public static double Recall(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, int k) =>
        relevant.Length == 0 ? 0 : (double)Hits(ranked, relevant, k) / relevant.Length;

    public static double HitRate(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, int k) =>
        Hits(ranked, relevant, k) > 0 ? 1 : 0;

    public static double Ndcg(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, int k)
    {
        if (relevant.Length == 0)
        {
            return 0;
        }

        var dcg = 0.0;
        var n = Math.Min(k, ranked.Length);
        for (var p = 0; p < n; p++)
        {
            if (relevant.BinarySearch(ranked[p]) >= 0)
            {
                dcg += Discount(p + 1);
            }
        }

        var idcg = 0.0;
        var ideal = Math.Min(k, relevant.Length);
        for (var p = 1; p <= ideal; p++)
        {
            idcg += Discount(p);
        }

        return dcg / idcg;
    }

    public static double ReciprocalRank(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, int k)
    {
        var n = Math.Min(k, ranked.Length);
        for (var p = 0; p < n; p++)
        {
            if (relevant.BinarySearch(ranked[p]) >= 0)
            {
                return 1.0 / (p + 1);
            }
        }

        return 0;
    }

    public static double AveragePrecision(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, int k)
    {
        if (relevant.Length == 0)
        {
            return 0;
        }

        var hits = 0;
        var sum = 0.0;
        var n = Math.Min(k, ranked.Length);
        for (var p = 0; p < n; p++)
        {
            if (relevant.BinarySearch(ranked[p]) >= 0)
            {
                hits++;
                sum += (double)hits / (p + 1);
            }
        }

        return sum / Math.Min(k, relevant.Length);
    }

    /// <summary>1 / log2(position + 1) for a 1-based position.</summary>
    public static double Discount(int position) => 1.0 / Math.Log2(position + 1);
}
