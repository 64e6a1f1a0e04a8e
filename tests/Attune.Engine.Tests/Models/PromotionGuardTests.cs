using Attune.Core;
using Attune.Engine.Models;
using Attune.Engine.Options;

namespace Attune.Engine.Tests.Models;

public sealed class PromotionGuardTests
{
    private static readonly ModelsOptions Options = new() { Tolerance = 0.01 };

    [Fact]
    public void First_model_is_promoted_without_comparison()
    {
        var decision = PromotionGuard.Decide(new ComparisonScores("ndcg@10", 0.2, null, 10), null, Options);

        Assert.True(decision.Promoted);
        Assert.Null(decision.ActiveScore);
    }

    [Theory]
    [InlineData(0.30, 0.30, true)]
    [InlineData(0.295, 0.30, true)]
    [InlineData(0.35, 0.30, true)]
    [InlineData(0.28, 0.30, false)]
    public void Candidate_is_promoted_only_when_not_worse_than_active_beyond_the_tolerance(double candidate, double active, bool promoted)
    {
        var decision = PromotionGuard.Decide(new ComparisonScores("ndcg@10", candidate, active, 10), "v1", Options);

        Assert.Equal(promoted, decision.Promoted);
        Assert.Equal(candidate, decision.CandidateScore);
        Assert.Equal(active, decision.ActiveScore);
        Assert.Equal("v1", decision.ActiveVersion);
    }

    [Fact]
    public void Holdout_scores_a_co_occurrence_model_above_popularity_on_grouped_data()
    {
        var trainer = new ModelTrainer(ModelFixtures.Options with { HoldoutFraction = 0.2 }, EventTypeRegistry.Default);
        var data = trainer.BuildData(ModelFixtures.Snapshot(users: 60, items: 40, perUser: 12), []);

        var scores = new HoldoutEvaluator(trainer).Compare(new CandidateComparison(data, "popularity", "ease:lambda=10", "v1"), CancellationToken.None);

        Assert.True(scores.Users > 0);
        Assert.True(scores.Candidate < scores.Active, $"popularity {scores.Candidate} should score below ease {scores.Active}");
    }

    [Fact]
    public void Options_validation_names_each_bad_model_setting()
    {
        var options = new AttuneOptions
        {
            Models = new ModelsOptions { Algorithm = "nope", KeepVersions = 0, HoldoutFraction = 0.7, Metric = "ndcg", Tolerance = -1, ScheduleInterval = TimeSpan.FromSeconds(-1) },
        };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Attune:Models:Algorithm", StringComparison.Ordinal) && e.Contains("Unknown algorithm 'nope'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Attune:Models:KeepVersions", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Attune:Models:HoldoutFraction", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Attune:Models:Metric", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Attune:Models:Tolerance", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Attune:Models:ScheduleInterval", StringComparison.Ordinal));
        Assert.Empty(new AttuneOptions().Validate());
    }

    [Fact]
    public void Auto_picks_ease_for_small_catalogs_and_als_for_large_ones()
    {
        var options = new ModelsOptions();

        Assert.StartsWith("ease", options.ResolveAlgorithm(1_000), StringComparison.Ordinal);
        Assert.StartsWith("als", options.ResolveAlgorithm(1_000_000), StringComparison.Ordinal);
    }
}
