using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Tests.Prediction;

public sealed class TreeEnsembleTests
{
    [Fact]
    public void Boosted_trees_learn_xor_where_logistic_regression_cannot()
    {
        var (train, trainLabels) = SyntheticTables.Xor(4_000, seed: 11);
        var (test, testLabels) = SyntheticTables.Xor(2_000, seed: 12);

        var gbdt = GradientBoostedTrees.Train(train, trainLabels, new GradientBoostedTreesOptions(Rounds: 100));
        var logistic = LogisticRegression.Train(train, trainLabels);

        var gbdtAuc = BinaryMetrics.Auc(gbdt.PredictProbabilities(test), testLabels);
        var logisticAuc = BinaryMetrics.Auc(logistic.PredictProbabilities(test), testLabels);
        Assert.True(gbdtAuc >= 0.95, $"GBDT AUC {gbdtAuc}");
        Assert.True(logisticAuc < 0.6, $"logistic AUC {logisticAuc}");
    }

    [Fact]
    public void Gain_importance_ranks_the_two_xor_features_first()
    {
        var (train, labels) = SyntheticTables.Xor(3_000, seed: 13, noiseFeatures: 4);

        var importances = GradientBoostedTrees.Train(train, labels, new GradientBoostedTreesOptions(Rounds: 50)).FeatureImportances();

        Assert.Equal(["x1", "x2"], importances.Take(2).Select(f => f.Feature).Order().ToArray());
        Assert.Equal(1.0, importances.Sum(f => f.Importance), 6);
        Assert.True(importances[1].Importance > 3 * importances[2].Importance);
    }

    [Fact]
    public void Boosted_trees_are_deterministic_by_seed()
    {
        var (train, labels) = SyntheticTables.Xor(2_000, seed: 14, flip: 0.1);
        var (test, _) = SyntheticTables.Xor(300, seed: 15);
        var options = new GradientBoostedTreesOptions(Rounds: 30, FeatureFraction: 0.5, Seed: 7);

        var a = GradientBoostedTrees.Train(train, labels, options).PredictProbabilities(test);
        var b = GradientBoostedTrees.Train(train, labels, options).PredictProbabilities(test);
        var c = GradientBoostedTrees.Train(train, labels, options with { Seed = 8 }).PredictProbabilities(test);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Early_stopping_keeps_the_best_prefix_of_trees()
    {
        var (train, labels) = SyntheticTables.Xor(1_500, seed: 16, flip: 0.25);
        var (valid, validLabels) = SyntheticTables.Xor(1_000, seed: 17, flip: 0.25);
        var options = new GradientBoostedTreesOptions(Rounds: 2_000, LearningRate: 0.3, MinSamplesLeaf: 5, EarlyStoppingRounds: 20);

        var model = GradientBoostedTrees.Train(train, labels, options, valid, validLabels);

        Assert.True(model.Trees.Count < 2_000, $"{model.Trees.Count} trees");
        var best = model.ValidationLoss.Min();
        Assert.Equal(best, model.ValidationLoss[model.Trees.Count - 1]);
        Assert.Equal(model.Trees.Count + 20, model.ValidationLoss.Count);
    }

    [Fact]
    public void More_rounds_lower_the_training_loss()
    {
        var (train, labels) = SyntheticTables.Xor(2_000, seed: 18, flip: 0.1);

        var losses = new[] { 5, 20, 80 }
            .Select(r => BinaryMetrics.LogLoss(GradientBoostedTrees.Train(train, labels, new GradientBoostedTreesOptions(Rounds: r)).PredictProbabilities(train), labels))
            .ToArray();

        Assert.True(losses[0] > losses[1] && losses[1] > losses[2], string.Join(", ", losses));
    }

    [Fact]
    public void A_single_stump_splits_at_the_step_of_a_step_function()
    {
        var values = Enumerable.Range(0, 1_000).Select(i => i / 1000f).ToArray();
        var labels = values.Select(v => v > 0.3f ? 1f : 0f).ToArray();

        var model = GradientBoostedTrees.Train(
            new FeatureTable(values, ["x"]), labels, new GradientBoostedTreesOptions(Rounds: 1, MaxDepth: 1, MinSamplesLeaf: 1));

        Assert.Equal(2, model.Trees[0].LeafCount);
        Assert.True(model.PredictProbability([0.29f]) < model.BaseScoreProbability());
        Assert.True(model.PredictProbability([0.31f]) > model.BaseScoreProbability());
    }

    [Fact]
    public void Leaf_values_are_the_mean_label_of_their_rows_in_a_forest_without_bootstrap()
    {
        // Leaf statistics come from histograms, half of them by subtraction; a wrong sum would show here.
        var (train, labels) = SyntheticTables.Logistic(3_000, [1.0, -1.0, 0.5, 0.0, 0.0], 0.0, seed: 19);
        var options = new RandomForestOptions(Trees: 1, MaxDepth: 8, MaxLeaves: 40, MinSamplesLeaf: 10, FeatureFraction: 1, Bootstrap: false);

        var model = RandomForest.Train(train, labels, options);

        var predictions = model.PredictProbabilities(train);
        foreach (var group in Enumerable.Range(0, train.RowCount).GroupBy(r => predictions[r]))
        {
            Assert.Equal(group.Average(r => labels[r]), group.Key, 5);
        }

        Assert.Equal(40, model.Trees[0].LeafCount);
    }

    [Fact]
    public void Tree_depth_and_leaf_limits_are_respected()
    {
        var (train, labels) = SyntheticTables.Xor(3_000, seed: 20, flip: 0.2);

        var model = GradientBoostedTrees.Train(train, labels, new GradientBoostedTreesOptions(Rounds: 10, MaxDepth: 3, MaxLeaves: 6, MinSamplesLeaf: 1));

        Assert.All(model.Trees, t =>
        {
            Assert.True(t.Depth <= 3);
            Assert.True(t.LeafCount <= 6);
        });
    }

    [Fact]
    public void Random_forest_learns_xor_and_is_deterministic_despite_parallel_training()
    {
        var (train, trainLabels) = SyntheticTables.Xor(3_000, seed: 21);
        var (test, testLabels) = SyntheticTables.Xor(1_000, seed: 22);
        var options = new RandomForestOptions(Trees: 40, FeatureFraction: 0.5);

        var model = RandomForest.Train(train, trainLabels, options);
        var a = model.PredictProbabilities(test);
        var b = RandomForest.Train(train, trainLabels, options).PredictProbabilities(test);

        Assert.Equal(a, b);
        Assert.All(a, p => Assert.InRange(p, 0, 1));
        Assert.True(BinaryMetrics.Auc(a, testLabels) >= 0.95, $"RF AUC {BinaryMetrics.Auc(a, testLabels)}");
        Assert.Equal(["x1", "x2"], model.FeatureImportances().Take(2).Select(f => f.Feature).Order().ToArray());
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_parameter_name()
    {
        var (train, labels) = SyntheticTables.Xor(100, seed: 23);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            GradientBoostedTrees.Train(train, labels, new GradientBoostedTreesOptions(LearningRate: 0)));

        Assert.Equal("LearningRate", error.ParamName);
        Assert.Contains("LearningRate=", new GradientBoostedTreesOptions().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Binner_keeps_one_bin_per_value_for_few_distinct_values_and_at_most_255_otherwise()
    {
        var few = new FeatureTable([1f, 2f, 2f, 3f, 1f], ["x"]);
        var many = new FeatureTable(Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray(), ["x"]);

        var fewBinner = FeatureBinner.Fit(few);
        var manyBinner = FeatureBinner.Fit(many);

        Assert.Equal(3, fewBinner.BinCount(0));
        Assert.Equal(1.5f, fewBinner.UpperBound(0, 0));
        Assert.Equal(255, manyBinner.BinCount(0));
        Assert.Equal([0, 1, 1, 2, 0], fewBinner.Transform(few).Column(0).ToArray().Select(b => (int)b).ToArray());
    }
}

internal static class ModelTestExtensions
{
    public static double BaseScoreProbability(this GradientBoostedTreesModel model) => 1 / (1 + Math.Exp(-model.BaseScore));
}
