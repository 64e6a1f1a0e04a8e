namespace Attune.Experiments.OffPolicy;

/// <summary>One logged decision: the context, the action the logging policy took, the probability it had of taking it, and the reward.</summary>
public sealed record LoggedDecision(double[] Context, int Action, double Propensity, double Reward);
