using Attune.Algorithms.Bandits;
using Attune.Experiments.OffPolicy;
using Attune.Experiments.Simulation;

namespace Attune.Experiments.Tests.Simulation;

public sealed class OffPolicySimulationTests
{
    [Fact]
    public void Doubly_robust_estimate_is_within_ten_percent_of_the_true_value_on_the_simulator()
    {
        var population = new Population(new PopulationOptions { Users = 3000, Segments = 3, Fatigue = 1, PositionBias = [1.0], Seed = 31 });
        var target = new SoftmaxPolicy(population.Variants, population.ContextDimension, temperature: 1, learningRate: 0.5);
        new BanditSimulation(population, 20_000, seed: 1).Run(new PolicyChannel(target));
        var trueValue = TrueValue(population, target);
        var logs = new List<LoggedDecision>();
        new BanditSimulation(population, 20_000, seed: 2) { Log = logs }.Run(new PolicyChannel(new FixedSplitPolicy(population.Variants)));
        var model = RidgeRewardModel.Fit(logs, population.Variants, population.ContextDimension);

        var report = OffPolicyEvaluator.Evaluate(logs, population.Variants, (_, x, p) => target.ActionProbabilities(x, p), model);

        var dr = report["dr"];
        Assert.InRange(dr.Value, 0.9 * trueValue, 1.1 * trueValue);
        Assert.True(dr.Covers(trueValue), $"DR {dr.Value:F4} [{dr.Lower:F4}, {dr.Upper:F4}] vs truth {trueValue:F4}");
        Assert.True(report["ips"].Covers(trueValue));
        Assert.True(trueValue > report.LoggedValue, "the learned target should beat uniform logging");
    }

    [Fact]
    public void Importance_weights_of_the_logging_policy_itself_give_its_logged_value()
    {
        var logs = new List<LoggedDecision>
        {
            new([], 0, 0.5, 1),
            new([], 1, 0.5, 0),
            new([], 0, 0.5, 0),
            new([], 1, 0.5, 1),
        };
        var model = RidgeRewardModel.Fit(logs, 2, 0);

        var report = OffPolicyEvaluator.Evaluate(logs, 2, (_, _, p) => p.Fill(0.5), model);

        Assert.Equal(0.5, report["ips"].Value, 12);
        Assert.Equal(0.5, report["snips"].Value, 12);
        Assert.Equal(4, report.EffectiveSampleSize, 12);
    }

    [Fact]
    public void A_bad_propensity_is_rejected_naming_the_row()
    {
        var logs = new List<LoggedDecision> { new([], 0, 0.5, 1), new([], 1, 0, 0) };

        var e = Assert.Throws<ArgumentException>(() => OffPolicyEvaluator.Validate(logs, 2));

        Assert.Contains("Logged decision 1", e.Message, StringComparison.Ordinal);
    }

    private static double TrueValue(Population population, IBanditPolicy target)
    {
        var p = new double[population.Variants];
        var sum = 0.0;
        for (var u = 0; u < population.Users; u++)
        {
            target.ActionProbabilities(population.Context(u), p);
            for (var v = 0; v < p.Length; v++)
            {
                sum += p[v] * population.ClickProbability(u, v);
            }
        }

        return sum / population.Users;
    }
}
