using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Neighbors;
using Attune.Algorithms.Tests.Contract;

namespace Attune.Algorithms.Tests.Neighbors;

public class UserKnnContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        new UserKnnTrainer().Fit(data, new UserKnnOptions { Neighbors = 15 });
}

public class UserKnnTests
{
    // User 0 holds {0,1}, user 1 {0,1,2}, user 2 {3}.
    private static TrainingData Tiny() => TrainingDataBuilder.FromColumns(3, 4, [0, 0, 1, 1, 1, 2], [0, 1, 0, 1, 2, 3], [1, 1, 1, 1, 1, 1]);

    [Fact]
    public void Score_is_the_neighbours_items_weighted_by_cosine()
    {
        var model = new UserKnnTrainer().Fit(Tiny(), new UserKnnOptions());
        var scores = new float[4];

        model.TryScore(0, scores);

        // cos(user0, user1) = 2 / (sqrt 2 * sqrt 3); user 2 shares nothing.
        var sim = 2 / (MathF.Sqrt(2) * MathF.Sqrt(3));
        Assert.Equal(sim, scores[2], 5);
        Assert.Equal(0f, scores[3]);
    }

    [Fact]
    public void A_new_user_is_folded_in_through_their_neighbours()
    {
        var model = (IFoldIn)new UserKnnTrainer().Fit(Tiny(), new UserKnnOptions { Neighbors = 1 });
        var scores = new float[4];

        model.ScoreHistory([2], [1], scores);

        // The only user with item 2 is user 1: cos = 1 / sqrt 3.
        Assert.Equal(1 / MathF.Sqrt(3), scores[0], 5);
        Assert.Equal(0f, scores[3]);
    }

    [Fact]
    public void Neighbours_exclude_the_user_and_are_capped_at_K()
    {
        var model = (UserKnnModel)new UserKnnTrainer().Fit(BlockData.Create(), new UserKnnOptions { Neighbors = 5 });

        var neighbours = model.NeighborsOf(3, 100);

        Assert.Equal(5, neighbours.Count);
        Assert.DoesNotContain(neighbours, n => n.Item == 3);
    }
}
