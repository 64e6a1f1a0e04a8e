using Attune.Engine.Campaigns;
using Attune.Experiments.Simulation;
using Attune.TestSupport;

namespace Attune.Engine.Tests.Campaigns;

/// <summary>Bandit policies driven through the decision service (decide, log, goal event, settlement), not called directly.</summary>
public sealed class DecisionServiceSimulationTests
{
    private const int Horizon = 15_000;

    [Fact]
    public async Task Thompson_sampling_through_the_decision_service_has_sublinear_regret_below_epsilon_greedy()
    {
        var population = new Population(new PopulationOptions { Users = 2000, Segments = 1, Fatigue = 1, Seed = 11 });

        var thompson = await RunAsync(population, "thompson:samples=20");
        var greedy = await RunAsync(population, "epsilon-greedy:epsilon=0.1");

        AssertSublinear(thompson);
        Assert.True(thompson.Regret < 0.8 * greedy.Regret, $"thompson regret {thompson.Regret:F1} vs epsilon-greedy {greedy.Regret:F1}");
    }

    [Fact]
    public async Task LinUcb_through_the_decision_service_learns_tastes_by_device_and_ends_below_epsilon_greedy()
    {
        var population = new Population(new PopulationOptions { Users = 2000, Segments = 3, Fatigue = 1, Seed = 12 });

        var linucb = await RunAsync(population, "linucb:alpha=1");
        var greedy = await RunAsync(population, "epsilon-greedy:epsilon=0.1");

        AssertSublinear(linucb);
        Assert.True(linucb.Regret < 0.8 * greedy.Regret, $"linucb regret {linucb.Regret:F1} vs epsilon-greedy {greedy.Regret:F1}");
    }

    [Fact]
    public async Task Every_simulated_decision_and_click_is_in_the_decisions_log_and_unclicked_decisions_teach_the_policy_zero()
    {
        var population = new Population(new PopulationOptions { Users = 200, Segments = 1, Fatigue = 1, Seed = 13 });
        using var dir = new TempDirectory();
        await using var channel = new DecisionServiceChannel(dir.Path, population, "epsilon-greedy:epsilon=0.2", attributionSteps: 20);
        var logged = new List<Attune.Experiments.OffPolicy.LoggedDecision>();

        var result = new BanditSimulation(population, 2000, seed: 3) { Log = logged }.Run(channel);
        channel.SettleAll();
        await channel.Log.FlushAsync();

        var entries = DecisionLog.Read(channel.Log.DirectoryPath, DateTimeOffset.MinValue).ToList();
        var decisions = entries.OfType<DecisionRecord>().ToList();
        var rewards = entries.OfType<RewardRecord>().ToList();
        Assert.Equal(2000, decisions.Count);
        Assert.All(decisions, d => Assert.InRange(d.Propensity, 0.2 / 3, 1));
        Assert.Equal(logged.Sum(l => l.Reward), rewards.Count);
        Assert.Equal((int)Math.Round(result.Ctr * 2000), rewards.Count);
        var policy = channel.Service.Policies.Find(channel.Campaign)!;
        long total = 0;
        for (var v = 0; v < population.Variants; v++)
        {
            total += policy.Decisions(v);
        }

        Assert.Equal(2000, total);
        Assert.Equal(0, channel.Service.PendingCount);
        // Every decision was learned (clicks as 1, the rest as 0), so the greedy arm's mean is a click rate, not 1.
        var probabilities = new double[population.Variants];
        policy.Policy.ActionProbabilities([], probabilities);
        Assert.True(probabilities.Max() < 0.9, "the policy still explores");
        Assert.True(rewards.Count > 0 && rewards.Count < 2000);
    }

    [Fact]
    public void More_segments_than_devices_are_refused_with_the_reason()
    {
        var population = new Population(new PopulationOptions { Users = 10, Segments = 4, Seed = 1 });
        using var dir = new TempDirectory();

        var e = Assert.Throws<ArgumentException>(() => new DecisionServiceChannel(dir.Path, population, "linucb"));

        Assert.Contains("at most 3 segments", e.Message, StringComparison.Ordinal);
    }

    private static async Task<SimulationResult> RunAsync(Population population, string spec)
    {
        using var dir = new TempDirectory();
        await using var channel = new DecisionServiceChannel(dir.Path, population, spec);
        return new BanditSimulation(population, Horizon, seed: 5).Run(channel);
    }

    private static void AssertSublinear(SimulationResult result)
    {
        var curve = result.RegretCurve;
        var half = curve[(curve.Count / 2) - 1];
        var secondHalf = curve[^1] - half;
        Assert.True(secondHalf < 0.6 * half, $"{result.Name}: regret {half:F1} in the first half, {secondHalf:F1} more in the second");
    }
}
