using Attune.Algorithms.Bandits;
using Attune.Experiments.Simulation;

namespace Attune.Experiments.Tests.Simulation;

public sealed class BanditSimulationTests
{
    private const int Horizon = 20_000;

    [Fact]
    public void Thompson_sampling_regret_grows_sublinearly_and_ends_below_epsilon_greedy()
    {
        var population = new Population(new PopulationOptions { Users = 2000, Segments = 1, Fatigue = 1, Seed = 11 });

        var thompson = Run(population, "thompson:samples=20");
        var greedy = Run(population, "epsilon-greedy:epsilon=0.1");

        AssertSublinear(thompson);
        Assert.True(thompson.Regret < greedy.Regret, $"thompson regret {thompson.Regret:F1} vs epsilon-greedy {greedy.Regret:F1}");
    }

    [Fact]
    public void LinUcb_regret_grows_sublinearly_and_ends_below_epsilon_greedy()
    {
        var population = new Population(new PopulationOptions { Users = 2000, Segments = 3, Fatigue = 1, Seed = 12 });

        var linucb = Run(population, "linucb:alpha=0.3");
        var greedy = Run(population, "epsilon-greedy:epsilon=0.1");

        AssertSublinear(linucb);
        Assert.True(linucb.Regret < greedy.Regret, $"linucb regret {linucb.Regret:F1} vs epsilon-greedy {greedy.Regret:F1}");
    }

    [Theory]
    [InlineData("linucb:alpha=0.3")]
    [InlineData("linear-thompson:v=0.1,samples=20")]
    public void A_contextual_policy_beats_the_best_single_variant_where_tastes_differ_by_segment(string spec)
    {
        var population = new Population(new PopulationOptions { Users = 2000, Segments = 3, Seed = 13 });
        var best = population.BestSingleVariant(out _);
        var weights = string.Join(",", Enumerable.Range(0, population.Variants).Select(v => v == best ? "1" : "0"));

        var contextual = Run(population, spec);
        var single = Run(population, "fixed:weights=" + weights);

        Assert.True(contextual.ExpectedReward > single.ExpectedReward * 1.1, $"{spec}: {contextual.ExpectedReward:F4} vs best single variant {single.ExpectedReward:F4}");
        Assert.True(contextual.LiftOver(single) > 0.1);
    }

    private static SimulationResult Run(Population population, string spec)
    {
        var policy = BanditPolicies.Create(spec, population.Variants, BanditPolicies.IsContextual(BanditSpec.Parse(spec).Name) ? population.ContextDimension : 0);
        return new BanditSimulation(population, Horizon, seed: 5).Run(new PolicyChannel(policy));
    }

    private static void AssertSublinear(SimulationResult result)
    {
        var curve = result.RegretCurve;
        var half = curve[(curve.Count / 2) - 1];
        var secondHalf = curve[^1] - half;
        Assert.True(secondHalf < 0.6 * half, $"{result.Name}: regret {half:F1} in the first half, {secondHalf:F1} more in the second");
    }
}
