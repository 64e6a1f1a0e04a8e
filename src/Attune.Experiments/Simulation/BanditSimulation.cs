using Attune.Experiments.OffPolicy;

namespace Attune.Experiments.Simulation;

/// <summary>What a simulated decision rewards.</summary>
public enum SimulationGoal
{
    Click,
    Purchase,
}

/// <param name="Name">The decision maker (policy spec).</param>
/// <param name="Steps">Decisions made.</param>
/// <param name="Ctr">Clicks per decision.</param>
/// <param name="Conversion">Purchases per decision.</param>
/// <param name="RevenuePerDecision">Revenue per decision.</param>
/// <param name="Regret">Cumulative expected regret (in the goal's unit) against the per-user oracle.</param>
/// <param name="RegretCurve">Cumulative regret after each of the equally spaced checkpoints.</param>
/// <param name="ExpectedReward">Mean expected reward of the choices made (exact, from the ground truth).</param>
/// <param name="OracleReward">Mean expected reward the per-user oracle would have collected.</param>
public sealed record SimulationResult(
    string Name,
    int Steps,
    double Ctr,
    double Conversion,
    double RevenuePerDecision,
    double Regret,
    IReadOnlyList<double> RegretCurve,
    double ExpectedReward,
    double OracleReward)
{
    /// <summary>Relative lift of this run's expected reward over a baseline run's.</summary>
    public double LiftOver(SimulationResult baseline) => (ExpectedReward / baseline.ExpectedReward) - 1;
}

/// <summary>Runs a decision maker against a <see cref="Population"/> for a number of steps.</summary>
/// <remarks>
/// Each step draws a user uniformly and a position uniformly from the position-bias table, asks the channel
/// for a variant, draws click and purchase from the ground truth, and hands the reward back. Regret is the
/// expected (not realized) shortfall against the oracle that knows every user's tastes, positions and
/// fatigue state, so curves are smooth enough to compare with short horizons. O(steps x (decision cost + variants)).
/// </remarks>
public sealed class BanditSimulation(Population population, int steps, int seed = 1, SimulationGoal goal = SimulationGoal.Click, int checkpoints = 10)
{
    /// <summary>When set, every decision is appended as a logged decision (for off-policy evaluation).</summary>
    public List<LoggedDecision>? Log { get; init; }

    public SimulationResult Run(IDecisionChannel channel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var rng = new Random(seed);
        var variants = population.Variants;
        var exposures = new int[population.Users * variants];
        var positions = population.Options.PositionBias.Count;
        var curve = new double[Math.Max(1, checkpoints)];
        var scale = goal == SimulationGoal.Purchase ? population.Options.PurchaseRate : 1;
        long clicks = 0, purchases = 0;
        double revenue = 0, regret = 0, expected = 0, oracle = 0;
        var next = 0;
        for (var t = 0; t < steps; t++)
        {
            var user = rng.Next(population.Users);
            var position = rng.Next(positions);
            var context = population.Context(user);
            var arm = channel.Decide(user, context, rng, out var propensity);
            if ((uint)arm >= (uint)variants)
            {
                throw new InvalidOperationException($"Decision channel {channel.Name} returned variant {arm}; the population has {variants}.");
            }

            var best = 0.0;
            for (var v = 0; v < variants; v++)
            {
                best = Math.Max(best, population.ClickProbability(user, v, position, exposures[(user * variants) + v]));
            }

            var pClick = population.ClickProbability(user, arm, position, exposures[(user * variants) + arm]);
            exposures[(user * variants) + arm]++;
            regret += (best - pClick) * scale;
            expected += pClick * scale;
            oracle += best * scale;
            var clicked = rng.NextDouble() < pClick;
            var bought = clicked && rng.NextDouble() < population.Options.PurchaseRate;
            clicks += clicked ? 1 : 0;
            purchases += bought ? 1 : 0;
            revenue += bought ? population.OrderValue(rng) : 0;
            var reward = goal == SimulationGoal.Click ? (clicked ? 1 : 0) : (bought ? 1 : 0);
            channel.Reward(user, arm, context, reward);
            Log?.Add(new LoggedDecision(context.ToArray(), arm, propensity, reward));
            while (next < curve.Length && t + 1 >= (long)steps * (next + 1) / curve.Length)
            {
                curve[next++] = regret;
            }
        }

        return new SimulationResult(channel.Name, steps, (double)clicks / steps, (double)purchases / steps, revenue / steps, regret, curve, expected / steps, oracle / steps);
    }
}
