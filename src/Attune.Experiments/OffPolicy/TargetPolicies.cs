using Attune.Algorithms.Bandits;

namespace Attune.Experiments.OffPolicy;

/// <summary>Candidate policies to evaluate from logs, built from a spec.</summary>
/// <remarks>
/// "greedy": the deterministic policy that picks the action with the highest predicted reward under the fitted
/// reward model (ties split evenly) — "what if we had served what the model prefers"; the DM and DR estimates of
/// it reuse the same model, so prefer IPS/SNIPS for an independent check. "uniform": every action equally.
/// Any other bandit spec (e.g. "fixed:weights=0,1,0") is evaluated with its initial state, which is what
/// matters for fixed splits; learning policies should be evaluated with per-row probabilities instead.
/// </remarks>
public static class TargetPolicies
{
    public static TargetPolicy Create(string spec, int arms, int contextDimension, IRewardModel model)
    {
        var name = spec.Trim().ToLowerInvariant();
        if (name == "greedy")
        {
            var q = new double[arms];
            var gate = new Lock();
            return (_, x, p) =>
            {
                lock (gate)
                {
                    model.Predict(x, q);
                    var best = double.NegativeInfinity;
                    foreach (var v in q)
                    {
                        best = Math.Max(best, v);
                    }

                    var ties = 0;
                    foreach (var v in q)
                    {
                        ties += v == best ? 1 : 0;
                    }

                    for (var a = 0; a < arms; a++)
                    {
                        p[a] = q[a] == best ? 1.0 / ties : 0;
                    }
                }
            };
        }

        if (name == "uniform")
        {
            return (_, _, p) => p.Fill(1.0 / arms);
        }

        var policy = BanditPolicies.Create(spec, arms, BanditPolicies.IsContextual(BanditSpec.Parse(spec).Name) ? contextDimension : 0);
        return (_, x, p) => policy.ActionProbabilities(policy.ContextDimension == 0 ? [] : x, p);
    }
}
