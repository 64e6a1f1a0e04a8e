using Attune.Evaluation.Metrics;

namespace Attune.Evaluation.Tests.Metrics;

public class BeyondAccuracyTests
{
    // Item 0 is had by 4 of 4 training users, item 1 by 2, item 2 by 1, item 3 by none.
    private static readonly int[] Counts = [4, 2, 1, 0];

    [Fact]
    public void Novelty_is_the_mean_self_information_of_the_list()
    {
        // -log2(4/4) = 0, -log2(2/4) = 1: mean 0.5.
        Assert.Equal(0.5, BeyondAccuracy.Novelty([0, 1], 10, Counts, 4), 12);

        // -log2(1/4) = 2 for item 2; item 3 (nobody) counts as one user: also 2.
        Assert.Equal(2.0, BeyondAccuracy.Novelty([2, 3], 10, Counts, 4), 12);
    }

    [Fact]
    public void Average_popularity_is_the_mean_training_user_count()
    {
        // (4 + 2 + 1) / 3.
        Assert.Equal(7.0 / 3.0, BeyondAccuracy.AveragePopularity([0, 1, 2], 10, Counts), 12);

        // Cut at K=1: only item 0.
        Assert.Equal(4.0, BeyondAccuracy.AveragePopularity([0, 1, 2], 1, Counts), 12);
    }

    [Fact]
    public void Intra_list_diversity_averages_one_minus_jaccard_over_pairs_with_categories()
    {
        string[][] categories = [["a", "b"], ["b", "c"], ["d"], []];

        // Pairs: (0,1) Jaccard {b}/{a,b,c} = 1/3 -> 2/3; (0,2) -> 1; (1,2) -> 1; item 3 has none and is skipped.
        // Mean = (2/3 + 1 + 1) / 3 = 8/9.
        Assert.Equal(8.0 / 9.0, BeyondAccuracy.IntraListDiversity([0, 1, 2, 3], 10, categories), 12);
    }

    [Fact]
    public void Intra_list_diversity_of_a_single_category_list_is_zero()
    {
        string[][] categories = [["a"], ["a"], ["a"]];
        Assert.Equal(0.0, BeyondAccuracy.IntraListDiversity([0, 1, 2], 10, categories), 12);
    }
}
