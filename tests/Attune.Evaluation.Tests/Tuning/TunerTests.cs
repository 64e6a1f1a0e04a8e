using Attune.Evaluation.Data;
using Attune.Evaluation.Splits;
using Attune.Evaluation.Tuning;

namespace Attune.Evaluation.Tests.Tuning;

public class TunerTests
{
    /// <summary>Two blocks of 30 users and 20 items; users mostly touch their own block's items.</summary>
    private static Interactions Blocks()
    {
        var rng = new Random(3);
        var rows = new List<(int, int, long)>();
        var time = 0L;
        for (var u = 0; u < 60; u++)
        {
            for (var i = 0; i < 40; i++)
            {
                var own = (u < 30) == (i < 20);
                if (rng.NextDouble() < (own ? 0.4 : 0.03))
                {
                    rows.Add((u, i, ++time));
                }
            }
        }

        return TestRows.Make(TestRows.Ids(60, "u"), TestRows.Ids(40, "i"), [.. rows]);
    }

    [Fact]
    public void Validation_split_is_carved_from_the_training_part_only()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));

        var validation = Tuner.ValidationSplit(split, new SplitOptions(Protocol.Stratified, 0.75, 42));

        Assert.Equal(split.Train.Count, validation.Train.Count + validation.Test.Count);
        for (var u = 0; u < split.UserCount; u++)
        {
            foreach (var i in validation.TestItems[u])
            {
                Assert.DoesNotContain(i, split.TestItems[u]);
            }
        }
    }

    [Fact]
    public void Tries_the_defaults_first_then_keeps_the_best_validation_score()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));

        var result = Tuner.Tune(split, new SplitOptions(Protocol.Stratified, 0.75, 42), new TuneOptions("item-knn", TimeSpan.FromMinutes(5), "ndcg@5", MaxTrials: 4));

        Assert.Equal(4, result.Trials.Count);
        Assert.Equal("item-knn", result.Trials[0].Spec);
        Assert.Equal(result.Trials.Max(t => t.Validation), result.Best.Validation);
        Assert.Equal(4, result.Trials.Select(t => t.Spec).Distinct().Count());
        Assert.InRange(result.Test.Metrics["ndcg@5"], 0.0, 1.0);
        Assert.Equal("ndcg@5", result.Metric);

        // The space holds only names item-knn's options really have.
        Assert.DoesNotContain(result.Space.Parameters, p => p.Name is "similarity" or "alpha");
    }

    [Fact]
    public void Options_fixed_in_the_model_spec_are_not_searched()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));

        var result = Tuner.Tune(split, new SplitOptions(Protocol.Stratified, 0.75, 42), new TuneOptions("item-knn:neighbors=10", TimeSpan.FromMinutes(5), "hr@5", MaxTrials: 3));

        Assert.DoesNotContain(result.Space.Parameters, p => p.Name == "neighbors");
        Assert.All(result.Trials, t => Assert.StartsWith("item-knn:neighbors=10", t.Spec, StringComparison.Ordinal));
    }

    [Fact]
    public void A_given_grid_is_the_whole_space_and_lists_may_hold_spec_lists()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));
        var grid = "components=(item-knn:neighbors=5; popularity)|(item-knn:neighbors=20,shrinkage=10; popularity); weights=(1; 0)|(1; 1)";

        var result = Tuner.Tune(split, new SplitOptions(Protocol.Stratified, 0.75, 42), new TuneOptions("hybrid", TimeSpan.FromMinutes(5), "ndcg@5", Grid: grid));

        Assert.Equal(4, result.Trials.Count);
        Assert.All(result.Trials, t => Assert.StartsWith("hybrid:components=(item-knn:neighbors=", t.Spec, StringComparison.Ordinal));
        Assert.Contains(result.Trials, t => t.Spec.Contains("neighbors=20,shrinkage=10; popularity),weights=(1; 1)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_grid_naming_an_option_the_algorithm_lacks_is_a_clear_error()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));

        var e = Assert.Throws<EvaluationException>(() => Tuner.Tune(split, new SplitOptions(), new TuneOptions("item-knn", TimeSpan.FromSeconds(5), Grid: "neighbors=5|10;lambda=1|2")));

        Assert.Contains("lambda", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_metric_is_a_clear_error()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));

        var e = Assert.Throws<EvaluationException>(() => Tuner.Tune(split, new SplitOptions(), new TuneOptions("item-knn", TimeSpan.FromSeconds(1), "auc@10")));

        Assert.Contains("auc@10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_folds_score_each_trial_by_the_mean_and_report_the_spread()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));
        var protocol = new SplitOptions(Protocol.Stratified, 0.75, 42);

        var one = Tuner.Tune(split, protocol, new TuneOptions("item-knn", TimeSpan.FromMinutes(5), "ndcg@5", Grid: "neighbors=5|20"));
        var three = Tuner.Tune(split, protocol, new TuneOptions("item-knn", TimeSpan.FromMinutes(5), "ndcg@5", Grid: "neighbors=5|20", Folds: 3));

        Assert.All(three.Trials, t =>
        {
            Assert.Equal(3, t.FoldScores!.Count);
            Assert.Equal(t.FoldScores.Average(), t.Validation, 12);
            Assert.Equal(Tuner.Spread(t.FoldScores), t.Spread, 12);
        });

        // Fold 0 is the one-fold run's validation split; the other folds are different re-splits.
        foreach (var t in three.Trials)
        {
            var single = one.Trials.Single(o => o.Spec == t.Spec);
            Assert.Equal(single.Validation, t.FoldScores![0], 12);
        }

        Assert.Contains(three.Trials, t => t.Spread > 0);
        Assert.Equal(three.Trials.Max(t => t.Validation), three.Best.Validation);
    }

    [Fact]
    public void Folds_draw_different_validation_splits_from_the_training_part()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));
        var protocol = new SplitOptions(Protocol.Stratified, 0.75, 42);

        var first = Tuner.ValidationSplit(split, protocol, 0);
        var second = Tuner.ValidationSplit(split, protocol, 1);

        Assert.Equal(split.Train.Count, second.Train.Count + second.Test.Count);
        Assert.Contains(Enumerable.Range(0, split.UserCount), u => !first.TestItems[u].SequenceEqual(second.TestItems[u]));
    }

    [Fact]
    public void Spread_is_the_sample_standard_deviation()
    {
        Assert.Equal(0, Tuner.Spread([0.5]));
        Assert.Equal(1.0, Tuner.Spread([1.0, 2.0, 3.0]), 12);
    }

    [Fact]
    public void Fewer_than_one_fold_is_a_clear_error()
    {
        var split = Splitter.Split(Blocks(), new SplitOptions(Protocol.Stratified, 0.75, 42));

        var e = Assert.Throws<EvaluationException>(() => Tuner.Tune(split, new SplitOptions(), new TuneOptions("item-knn", TimeSpan.FromSeconds(5), Folds: 0)));

        Assert.Contains("--folds", e.Message, StringComparison.Ordinal);
    }
}
