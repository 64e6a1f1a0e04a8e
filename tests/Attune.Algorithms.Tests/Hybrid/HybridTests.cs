using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Hybrid;
using Attune.Algorithms.Tests.Contract;
using Attune.Algorithms.Tests.Quality;
using Attune.TestSupport;

namespace Attune.Algorithms.Tests.Hybrid;

public class HybridContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        new HybridTrainer().Fit(data, new HybridOptions { Components = "item-knn:neighbors=20; popularity", Seed = seed });
}

public class HybridGivenWeightsContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        new HybridTrainer().Fit(data, new HybridOptions { Components = "sequence; item-knn", Weights = "0.5;0.5", Normalization = ScoreNormalization.ZScore });
}

public class HybridTests
{
    [Fact]
    public void Given_weights_blend_normalized_scores()
    {
        var data = BlockData.Create();
        var model = (HybridModel)new HybridTrainer().Fit(data, new HybridOptions { Components = "item-knn; popularity", Weights = "0.75;0.25" });
        var knn = model.Components[0];
        var pop = model.Components[1];
        var a = new float[data.Items.Count];
        var b = new float[data.Items.Count];
        var blend = new float[data.Items.Count];

        knn.TryScore(3, a);
        pop.TryScore(3, b);
        model.TryScore(3, blend);

        var maxA = a.Max(Math.Abs);
        var maxB = b.Max(Math.Abs);
        for (var i = 0; i < blend.Length; i++)
        {
            Assert.Equal((0.75f * a[i] / maxA) + (0.25f * b[i] / maxB), blend[i], 5);
        }
    }

    [Fact]
    public void Tuning_gives_the_useful_component_the_larger_weight()
    {
        var data = BlockData.Create(blocks: 3);

        // Trending with a minute-long half-life puts the last few events' items on top for everyone: noise.
        var model = (HybridModel)new HybridTrainer().Fit(data, new HybridOptions { Components = "item-knn:neighbors=20; trending:halfLifeDays=0.001", Holdout = ValidationHoldout.Random });

        Assert.True(model.Weights[0] > model.Weights[1], $"weights {string.Join(", ", model.Weights)}");
        Assert.Equal(1, model.Weights.Sum(), 6);
        Assert.Contains("blend=", model.Options, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_spec_with_a_parenthesized_component_list_binds()
    {
        var (algorithm, options) = AlgorithmRegistry.Parse("hybrid:components=(item-knn:neighbors=5,shrinkage=1; popularity),weights=1;1,normalization=zscore");

        var typed = Assert.IsType<HybridOptions>(options);
        Assert.Equal("hybrid", algorithm.Name);
        Assert.Equal("(item-knn:neighbors=5,shrinkage=1; popularity)", typed.Components);
        Assert.Equal(ScoreNormalization.ZScore, typed.Normalization);
        var model = (HybridModel)algorithm.Fit(BlockData.Create(), typed);
        Assert.Equal(2, model.Components.Count);
    }

    [Fact]
    public void Weight_count_must_match_the_components()
    {
        var ex = Assert.Throws<ArgumentException>(() => new HybridTrainer().Fit(BlockData.Create(), new HybridOptions { Components = "item-knn; popularity", Weights = "1" }));

        Assert.Contains("2 components but 1 weights", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_split_holds_out_the_latest_item_of_each_user()
    {
        var data = TrainingDataBuilder.FromColumns(2, 3, [0, 0, 0, 1], [2, 0, 1, 1], [1, 1, 1, 1], [1, 2, 3, 4]);

        var (train, held) = ValidationSplit.Create(data, ValidationHoldout.Last, seed: 1);

        Assert.Equal([1, -1], held);
        Assert.Equal([0, 2], train.Matrix.ItemsOf(0).ToArray());
        Assert.Equal([1], train.Matrix.ItemsOf(1).ToArray());
        Assert.DoesNotContain(train.Interactions!.Item.Select((item, r) => (train.Interactions.User[r], item)), p => p == (0, 1));
    }

    [Fact]
    public void Share_split_holds_out_a_quarter_of_each_user_and_keeps_one_item()
    {
        var users = new List<int>();
        var items = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            users.Add(0);
            items.Add(i);
        }

        users.Add(1);
        items.Add(3);
        var data = TrainingDataBuilder.FromColumns(2, 8, [.. users], [.. items], [.. users.Select(_ => 1f)], [.. users.Select((_, r) => (long)r)]);

        var (train, held) = ValidationSplit.CreateMany(data, ValidationHoldout.Share, seed: 5, share: 0.25);

        Assert.Equal(2, held[0].Length);
        Assert.Empty(held[1]);
        Assert.Equal(held[0].Order().ToArray(), held[0]);
        Assert.Equal(6, train.Matrix.ItemsOf(0).Length);
        Assert.All(held[0], i => Assert.True(train.Matrix.ItemsOf(0).IndexOf(i) < 0));
        Assert.Equal([3], train.Matrix.ItemsOf(1).ToArray());
        Assert.Equal(7, train.Interactions!.Count);
    }

    [Fact]
    public void Tuning_on_a_share_holdout_also_prefers_the_useful_component()
    {
        var data = BlockData.Create(blocks: 3);

        var model = (HybridModel)new HybridTrainer().Fit(data, new HybridOptions { Components = "item-knn:neighbors=20; trending:halfLifeDays=0.001", Holdout = ValidationHoldout.Share });

        Assert.True(model.Weights[0] > model.Weights[1], $"weights {string.Join(", ", model.Weights)}");
    }

    [Fact]
    public void Several_share_holdouts_still_prefer_the_useful_component_and_are_listed_in_the_options()
    {
        var data = BlockData.Create(blocks: 3);

        var model = (HybridModel)new HybridTrainer().Fit(data, new HybridOptions { Components = "item-knn:neighbors=20; trending:halfLifeDays=0.001", Holdout = ValidationHoldout.Share, HoldoutRepeats = 3 });

        Assert.True(model.Weights[0] > model.Weights[1], $"weights {string.Join(", ", model.Weights)}");
        Assert.Contains("holdoutRepeats=3", model.Options, StringComparison.Ordinal);
    }

    [Fact]
    public void Holdout_repeats_below_one_are_refused()
    {
        var data = BlockData.Create();

        var ex = Assert.Throws<ArgumentException>(() => new HybridTrainer().Fit(data, new HybridOptions { Components = "item-knn; popularity", HoldoutRepeats = 0 }));

        Assert.Contains("HoldoutRepeats", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scale_normalization_is_by_the_largest_absolute_score_and_zscore_centres()
    {
        float[] max = [2, -4, 1];
        float[] z = [1, 2, 3];

        ScoreBlend.Normalize(max, ScoreNormalization.Max);
        ScoreBlend.Normalize(z, ScoreNormalization.ZScore);

        Assert.Equal([0.5f, -1f, 0.25f], max);
        Assert.Equal(0f, z[1], 6);
        Assert.Equal(-z[0], z[2], 6);
    }

    [DataFact(Datasets.Ml1MPartial)]
    public void Sequence_blend_reaches_the_next_item_target_on_ml1m_leave_last_out()
    {
        var split = Datasets.Ml1MLeaveLastOut(SharedData.Require(Datasets.Ml1MPartial));
        var options = new HybridOptions { Components = "sequence; ease:lambda=500" };

        var quality = LocalMetrics.Evaluate(new HybridTrainer().Fit(split.Train, options), split);

        // 0.7 x transitions + 0.3 x EASE measured HR@10 0.276 (REFERENCE.md); the target is 0.29.
        Assert.InRange(quality.HitRate, 0.29, 1);
    }
}
