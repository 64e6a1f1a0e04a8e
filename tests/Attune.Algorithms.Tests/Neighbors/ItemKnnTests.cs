using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Neighbors;
using Attune.Algorithms.Tests.Contract;
using Attune.Algorithms.Tests.Quality;
using Attune.TestSupport;

namespace Attune.Algorithms.Tests.Neighbors;

public class ItemKnnContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        new ItemKnnTrainer().Fit(data, new ItemKnnOptions { Neighbors = 20, Shrinkage = 1 });
}

public class ItemKnnBm25ContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        new ItemKnnTrainer().Fit(data, new ItemKnnOptions { Neighbors = 20, Weighting = KnnWeighting.Bm25, K1 = 1.2f, B = 0.75f });
}

public class ItemKnnTests
{
    // Users 0-2 hold items {0,1}, user 3 holds {1,2}, user 4 holds {3}.
    private static TrainingData Tiny() =>
        TrainingDataBuilder.FromColumns(5, 4, [0, 0, 1, 1, 2, 2, 3, 3, 4], [0, 1, 0, 1, 0, 1, 1, 2, 3], [1, 1, 1, 1, 1, 1, 1, 1, 1]);

    [Fact]
    public void Similarity_is_the_cosine_of_item_columns_with_shrinkage_in_the_denominator()
    {
        var model = (ItemKnnModel)new ItemKnnTrainer().Fit(Tiny(), new ItemKnnOptions { Shrinkage = 1 });

        var sims = model.SimilarItems(1, 10);

        // |item0| = sqrt 3, |item1| = 2, dot = 3; |item2| = 1, dot(1,2) = 1.
        Assert.Equal(0, sims[0].Item);
        Assert.Equal(3 / ((MathF.Sqrt(3) * 2) + 1), sims[0].Score, 5);
        Assert.Equal(2, sims[1].Item);
        Assert.Equal(1 / ((1 * 2) + 1f), sims[1].Score, 5);
        Assert.Equal(2, sims.Count);
    }

    [Fact]
    public void Only_the_K_best_neighbours_are_kept()
    {
        var model = (ItemKnnModel)new ItemKnnTrainer().Fit(Tiny(), new ItemKnnOptions { Neighbors = 1 });

        Assert.Single(model.SimilarItems(1, 10));
        Assert.Equal(0, model.SimilarItems(1, 10)[0].Item);
        Assert.Empty(model.SimilarItems(3, 10));
    }

    [Fact]
    public void Score_sums_similarity_times_history_weight()
    {
        var model = (ItemKnnModel)new ItemKnnTrainer().Fit(Tiny(), new ItemKnnOptions());
        var scores = new float[4];

        model.ScoreHistory([0, 2], [2, 1], scores);

        var s01 = 3 / (MathF.Sqrt(3) * 2);
        var s21 = 1 / 2f;
        Assert.Equal((2 * s01) + s21, scores[1], 5);
        Assert.Equal(0f, scores[3]);
    }

    [Fact]
    public void Thread_count_does_not_change_the_model()
    {
        var data = BlockData.Create(blocks: 3);
        var one = (ItemKnnModel)new ItemKnnTrainer().Fit(data, new ItemKnnOptions { Neighbors = 10, Threads = 1 });
        var many = (ItemKnnModel)new ItemKnnTrainer().Fit(data, new ItemKnnOptions { Neighbors = 10, Threads = 4 });

        Assert.Equal(one.Neighbors.ColumnIndex, many.Neighbors.ColumnIndex);
        Assert.Equal(one.Neighbors.Values, many.Neighbors.Values);
    }

    [Fact]
    public void A_user_without_history_is_unknown()
    {
        var data = TrainingDataBuilder.FromColumns(3, 2, [0, 1], [0, 1], [1, 1]);
        var model = new ItemKnnTrainer().Fit(data, new ItemKnnOptions());

        Assert.False(model.TryScore(2, new float[2]));
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_option_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ItemKnnTrainer().Fit(Tiny(), new ItemKnnOptions { Neighbors = 0 }));

        Assert.Contains("Neighbors", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_the_fit()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new ItemKnnTrainer().Fit(BlockData.Create(), new ItemKnnOptions(), cancellationToken: cts.Token));
    }

    [Fact]
    public void Registry_parses_the_spec_into_typed_options()
    {
        var (algorithm, options) = AlgorithmRegistry.Parse("item-knn:neighbors=50,weighting=bm25,shrinkage=2.5");

        Assert.Equal("item-knn", algorithm.Name);
        var typed = Assert.IsType<ItemKnnOptions>(options);
        Assert.Equal(50, typed.Neighbors);
        Assert.Equal(KnnWeighting.Bm25, typed.Weighting);
        Assert.Equal(2.5f, typed.Shrinkage);
    }

    [DataFact(Datasets.Colakg + "/train.txt")]
    public void Matches_the_reference_item_cosine_on_colakg_ml1m()
    {
        var split = Datasets.ColakgGiven(SharedData.Require(Datasets.Colakg));

        var model = new ItemKnnTrainer().Fit(split.Train, new ItemKnnOptions { Neighbors = 100 });
        var quality = LocalMetrics.Evaluate(model, split);

        // implicit 0.7.3 CosineRecommender K=100: NDCG@10 0.296, P@10 0.265 (REFERENCE.md).
        Assert.InRange(quality.Ndcg, 0.294, 1);
        Assert.InRange(quality.Precision, 0.262, 1);
    }
}
