using System.Globalization;
using Attune.Experiments.Simulation;
using Attune.Experiments.Statistics;

namespace Attune.Experiments.Tests.Simulation;

public sealed class ExperimentSimulationTests
{
    private static readonly Population World = new(new PopulationOptions { Users = 5000, Seed = 21 });

    [Fact]
    public void A_thousand_AA_tests_reject_at_the_nominal_rate_also_when_the_sequential_test_is_checked_after_every_batch()
    {
        var simulation = new ExperimentSimulation(World);
        var plan = new ExperimentPlan(2000, [1, 1], [0, 0], Batches: 20);
        int fixedHorizon = 0, groupSequential = 0, alwaysValid = 0, peeking = 0;

        for (var i = 0; i < 1000; i++)
        {
            var outcome = simulation.Run(plan, "aa-" + i.ToString(CultureInfo.InvariantCulture), seed: i);
            fixedHorizon += outcome.Conversion.Significant ? 1 : 0;
            groupSequential += outcome.GroupSequential.Rejected ? 1 : 0;
            alwaysValid += outcome.SequentialRejected ? 1 : 0;
            peeking += outcome.PeekingRejected ? 1 : 0;
        }

        Assert.InRange(fixedHorizon / 1000.0, 0.035, 0.065);
        Assert.InRange(groupSequential / 1000.0, 0.035, 0.065);
        // The mSPRT is valid for unlimited looks, so with 20 it stays below alpha (about 1%): conservative, never above.
        Assert.InRange(alwaysValid / 1000.0, 0.0, 0.065);
        Assert.True(peeking > fixedHorizon + 30, $"peeking at a fixed-horizon test rejected {peeking} of 1000 A/A tests");
    }

    [Fact]
    public void A_planted_effect_is_detected_with_the_power_the_calculator_predicts()
    {
        var simulation = new ExperimentSimulation(World);
        var p0 = simulation.TrueConversion(0);
        var p1 = simulation.TrueConversion(0.2);
        var perGroup = Power.SampleSizeProportions(p0, p1, 0.05, 0.8);
        var predicted = Power.PowerProportions(p0, p1, perGroup);
        var plan = new ExperimentPlan((int)(2 * perGroup), [1, 1], [0, 0.2], Batches: 1);

        var detected = 0;
        for (var i = 0; i < 1000; i++)
        {
            var outcome = simulation.Run(plan, "power-" + i.ToString(CultureInfo.InvariantCulture), seed: 10_000 + i);
            detected += outcome.Conversion.Significant && outcome.Conversion.Difference > 0 ? 1 : 0;
        }

        Assert.InRange(detected / 1000.0, predicted - 0.05, predicted + 0.05);
    }

    [Fact]
    public void The_group_sequential_test_checked_after_every_batch_keeps_its_power_and_stops_early()
    {
        var simulation = new ExperimentSimulation(World);
        var p0 = simulation.TrueConversion(0);
        var p1 = simulation.TrueConversion(0.2);
        var perGroup = Power.SampleSizeProportions(p0, p1, 0.05, 0.8);
        var predicted = Power.PowerProportions(p0, p1, perGroup);
        var plan = new ExperimentPlan((int)(2 * perGroup), [1, 1], [0, 0.2], Batches: 20);

        const int Runs = 300;
        int detected = 0, fixedDetected = 0;
        long users = 0;
        for (var i = 0; i < Runs; i++)
        {
            var outcome = simulation.Run(plan, "gs-power-" + i.ToString(CultureInfo.InvariantCulture), seed: 20_000 + i);
            detected += outcome.GroupSequential.Rejected && outcome.GroupSequential.Difference > 0 ? 1 : 0;
            fixedDetected += outcome.Conversion.Significant && outcome.Conversion.Difference > 0 ? 1 : 0;
            users += outcome.GroupSequential.UsersAtStop;
        }

        // O'Brien-Fleming-type spending costs about 1-2 points of power against one look at the same horizon.
        Assert.InRange(detected / (double)Runs, predicted - 0.07, predicted + 0.05);
        Assert.True(detected >= fixedDetected - 15, $"group-sequential detected {detected}, fixed-horizon {fixedDetected} of {Runs}");
        Assert.True(users / (double)Runs < 0.85 * plan.Users, $"mean users at the stop {users / (double)Runs:F0} of {plan.Users} planned");
    }

    [Fact]
    public void Cuped_shrinks_the_variance_when_the_covariate_correlates()
    {
        // Many visits per user make the pre-period clicks a strong predictor of the test-period clicks.
        var simulation = new ExperimentSimulation(new Population(new PopulationOptions { Users = 5000, MeanVisits = 30, Seed = 22 }));
        var plan = new ExperimentPlan(2000, [1, 1], [0, 0.1], Batches: 1);
        var raw = new double[200];
        var adjusted = new double[200];
        var reductions = 0.0;

        for (var i = 0; i < raw.Length; i++)
        {
            var outcome = simulation.Run(plan, "cuped-" + i.ToString(CultureInfo.InvariantCulture), seed: 50_000 + i);
            raw[i] = outcome.Clicks.Difference;
            adjusted[i] = outcome.Cuped.Test.Difference;
            reductions += outcome.Cuped.VarianceReduction / raw.Length;
            Assert.True(outcome.Cuped.Test.StandardError < outcome.Clicks.StandardError);
        }

        var rawVariance = GroupSummary.Of(raw).Variance;
        var adjustedVariance = GroupSummary.Of(adjusted).Variance;
        Assert.True(reductions > 0.2, $"mean variance reduction {reductions:P1}");
        Assert.True(adjustedVariance < 0.85 * rawVariance, $"variance of the effect estimate: {adjustedVariance:G3} with CUPED vs {rawVariance:G3}");
        Assert.Equal(GroupSummary.Of(raw).Mean, GroupSummary.Of(adjusted).Mean, 0.02);
    }
}
