using Attune.Algorithms.Bandits;

namespace Attune.Experiments.Simulation;

/// <summary>
/// The way the simulator reaches a decision maker: straight to a policy object, or through the engine's
/// decision service so that the simulated traffic follows the same code path as HTTP requests.
/// </summary>
public interface IDecisionChannel
{
    string Name { get; }

    int Decide(int user, ReadOnlySpan<double> context, Random rng, out double propensity);

    void Reward(int user, int variant, ReadOnlySpan<double> context, double reward);
}

/// <summary>Drives an <see cref="IBanditPolicy"/> directly.</summary>
public sealed class PolicyChannel(IBanditPolicy policy) : IDecisionChannel
{
    public IBanditPolicy Policy => policy;

    public string Name => policy.Spec;

    public int Decide(int user, ReadOnlySpan<double> context, Random rng, out double propensity) =>
        policy.Choose(policy.ContextDimension == 0 ? [] : context, rng, out propensity);

    public void Reward(int user, int variant, ReadOnlySpan<double> context, double reward) =>
        policy.Update(variant, policy.ContextDimension == 0 ? [] : context, reward);
}
