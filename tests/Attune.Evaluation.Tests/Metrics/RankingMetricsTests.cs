using Attune.Evaluation.Metrics;

namespace Attune.Evaluation.Tests.Metrics;

public class RankingMetricsTests
{
    // List 5, 3, 9, 1, 7 against relevant {1, 3, 8}: hits at positions 2 (item 3) and 4 (item 1).
    private static readonly int[] Ranked = [5, 3, 9, 1, 7];
    private static readonly int[] Relevant = [1, 3, 8];

    [Fact]
    public void Precision_at_5_is_hits_over_K()
    {
        // 2 hits / K=5.
        Assert.Equal(0.4, RankingMetrics.Precision(Ranked, Relevant, 5), 12);
    }

    [Fact]
    public void Recall_at_5_is_hits_over_relevant_count()
    {
        // 2 hits / 3 relevant.
        Assert.Equal(2.0 / 3.0, RankingMetrics.Recall(Ranked, Relevant, 5), 12);
    }

    [Fact]
    public void Ndcg_at_5_uses_log2_discounts_and_ideal_over_min_of_K_and_relevant()
    {
        // DCG = 1/log2(2+1) + 1/log2(4+1) = 0.630930 + 0.430677 = 1.061606.
        // IDCG over min(5, 3) = 3 places = 1/log2(2) + 1/log2(3) + 1/log2(4) = 1 + 0.630930 + 0.5 = 2.130930.
        // NDCG = 1.061606 / 2.130930 = 0.498189.
        var expected = ((1 / Math.Log2(3)) + (1 / Math.Log2(5))) / (1 + (1 / Math.Log2(3)) + 0.5);
        Assert.Equal(expected, RankingMetrics.Ndcg(Ranked, Relevant, 5), 12);
        Assert.Equal(0.498189, RankingMetrics.Ndcg(Ranked, Relevant, 5), 6);
    }

    [Fact]
    public void Ndcg_at_2_counts_only_the_first_two_places()
    {
        // One hit at position 2: DCG = 1/log2(3) = 0.630930; IDCG over min(2, 3) = 2: 1 + 0.630930.
        // NDCG = 0.630930 / 1.630930 = 0.386853.
        Assert.Equal(0.386853, RankingMetrics.Ndcg(Ranked, Relevant, 2), 6);
    }

    [Fact]
    public void Hit_rate_is_one_with_any_hit_and_zero_without()
    {
        Assert.Equal(1.0, RankingMetrics.HitRate(Ranked, Relevant, 2));
        Assert.Equal(0.0, RankingMetrics.HitRate(Ranked, Relevant, 1));
    }

    [Fact]
    public void Reciprocal_rank_is_one_over_the_first_hit_position()
    {
        // The first hit is at position 2.
        Assert.Equal(0.5, RankingMetrics.ReciprocalRank(Ranked, Relevant, 5), 12);
        Assert.Equal(0.0, RankingMetrics.ReciprocalRank(Ranked, Relevant, 1), 12);
    }

    [Fact]
    public void Average_precision_sums_precision_at_hits_over_min_of_K_and_relevant()
    {
        // Precision at the hits: 1/2 (position 2) and 2/4 (position 4); divided by min(5, 3) = 3: (0.5 + 0.5) / 3.
        Assert.Equal(1.0 / 3.0, RankingMetrics.AveragePrecision(Ranked, Relevant, 5), 12);

        // K=2: only the hit at position 2: (1/2) / min(2, 3) = 0.25.
        Assert.Equal(0.25, RankingMetrics.AveragePrecision(Ranked, Relevant, 2), 12);
    }

    [Fact]
    public void A_list_shorter_than_K_counts_the_missing_places_as_misses()
    {
        int[] ranked = [3];
        int[] relevant = [3];

        // 1 hit / K=5 for precision; but recall and NDCG are perfect (IDCG over min(5, 1) = 1 place).
        Assert.Equal(0.2, RankingMetrics.Precision(ranked, relevant, 5), 12);
        Assert.Equal(1.0, RankingMetrics.Recall(ranked, relevant, 5), 12);
        Assert.Equal(1.0, RankingMetrics.Ndcg(ranked, relevant, 5), 12);
        Assert.Equal(1.0, RankingMetrics.AveragePrecision(ranked, relevant, 5), 12);
    }

    [Fact]
    public void A_perfect_list_scores_one_on_every_normalised_metric()
    {
        int[] ranked = [8, 1, 3, 0];
        Assert.Equal(1.0, RankingMetrics.Ndcg(ranked, Relevant, 3), 12);
        Assert.Equal(1.0, RankingMetrics.Recall(ranked, Relevant, 3), 12);
        Assert.Equal(1.0, RankingMetrics.Precision(ranked, Relevant, 3), 12);
        Assert.Equal(1.0, RankingMetrics.AveragePrecision(ranked, Relevant, 3), 12);
    }
}
