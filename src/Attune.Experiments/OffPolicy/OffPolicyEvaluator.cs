using Attune.Experiments.Statistics;

namespace Attune.Experiments.OffPolicy;

/// <summary>Writes the target policy's probability of every action for logged row <paramref name="row"/>.</summary>
public delegate void TargetPolicy(int row, ReadOnlySpan<double> context, Span<double> probabilities);

/// <summary>One estimate of the target policy's value with its normal-approximation confidence interval.</summary>
public sealed record OpeEstimate(string Estimator, double Value, double StandardError, double Lower, double Upper)
{
    public bool Covers(double value) => value >= Lower && value <= Upper;
}

/// <param name="Rows">Logged decisions used.</param>
/// <param name="LoggedValue">Mean reward of the logging policy (the on-policy value of the logs).</param>
/// <param name="EffectiveSampleSize">(sum w)^2 / sum w^2 of the importance weights: how many rows the estimate is worth.</param>
/// <param name="MaxWeight">The largest importance weight.</param>
public sealed record OpeReport(int Rows, double LoggedValue, double EffectiveSampleSize, double MaxWeight, IReadOnlyList<OpeEstimate> Estimates)
{
    public OpeEstimate this[string estimator] => Estimates.First(e => e.Estimator == estimator);
}

/// <summary>
/// Off-policy estimators of a target policy's expected reward from decisions logged under another policy
/// with known propensities: IPS, self-normalized IPS, the direct method and doubly robust.
/// </summary>
/// <remarks>
/// With weights w_i = pi(a_i | x_i) / mu(a_i | x_i) and a reward model q(x, a):
/// IPS = mean(w r) (Horvitz and Thompson 1952); SNIPS = sum(w r) / sum(w) (Swaminathan and Joachims 2015),
/// standard error by the delta method sqrt(sum (w (r - V))^2) / sum w; DM = mean(sum_a pi(a | x) q(x, a));
/// DR = mean(sum_a pi(a | x) q(x, a) + w (r - q(x, a_i))) (Dudik, Langford, Li 2011). Intervals are
/// V +- z_{1-alpha/2} SE with SE the sample standard deviation of the per-row terms over sqrt(n); the DM
/// interval treats the fitted model as fixed, so it ignores the model's own estimation error and bias
/// (it is usually too narrow). O(rows x actions).
/// </remarks>
public static class OffPolicyEvaluator
{
    public static OpeReport Evaluate(IReadOnlyList<LoggedDecision> logs, int arms, TargetPolicy target, IRewardModel model, double alpha = 0.05)
    {
        Validate(logs, arms);
        if (model.Arms != arms)
        {
            throw new ArgumentException($"The reward model covers {model.Arms} actions; the logs have {arms}.", nameof(model));
        }

        var n = logs.Count;
        var pi = new double[arms];
        var q = new double[arms];
        var ips = new double[n];
        var dm = new double[n];
        var dr = new double[n];
        var weights = new double[n];
        double sumW = 0, sumW2 = 0, sumWr = 0, logged = 0, maxW = 0;
        for (var i = 0; i < n; i++)
        {
            var row = logs[i];
            target(i, row.Context, pi);
            CheckTarget(pi, i);
            model.Predict(row.Context, q);
            var w = pi[row.Action] / row.Propensity;
            var direct = 0.0;
            for (var a = 0; a < arms; a++)
            {
                direct += pi[a] * q[a];
            }

            weights[i] = w;
            ips[i] = w * row.Reward;
            dm[i] = direct;
            dr[i] = direct + (w * (row.Reward - q[row.Action]));
            sumW += w;
            sumW2 += w * w;
            sumWr += w * row.Reward;
            logged += row.Reward;
            maxW = Math.Max(maxW, w);
        }

        var z = Distributions.NormalQuantile(1 - (alpha / 2));
        var snips = sumW > 0 ? sumWr / sumW : 0;
        var ss = 0.0;
        for (var i = 0; i < n; i++)
        {
            var e = weights[i] * (logs[i].Reward - snips);
            ss += e * e;
        }

        var snipsSe = sumW > 0 ? Math.Sqrt(ss) / sumW : double.PositiveInfinity;
        OpeEstimate[] estimates =
        [
            Mean("ips", ips, z),
            new("snips", snips, snipsSe, snips - (z * snipsSe), snips + (z * snipsSe)),
            Mean("dm", dm, z),
            Mean("dr", dr, z),
        ];
        return new OpeReport(n, logged / n, sumW2 > 0 ? sumW * sumW / sumW2 : 0, maxW, estimates);
    }

    /// <summary>Checks the logs and names the first bad row.</summary>
    public static void Validate(IReadOnlyList<LoggedDecision> logs, int arms)
    {
        if (logs.Count == 0)
        {
            throw new ArgumentException("No logged decisions to evaluate.", nameof(logs));
        }

        var dimension = logs[0].Context.Length;
        for (var i = 0; i < logs.Count; i++)
        {
            var row = logs[i];
            if ((uint)row.Action >= (uint)arms)
            {
                throw new ArgumentException($"Logged decision {i}: action {row.Action} is outside [0, {arms}).", nameof(logs));
            }

            if (!(row.Propensity > 0 && row.Propensity <= 1))
            {
                throw new ArgumentException($"Logged decision {i}: propensity {row.Propensity} must be in (0, 1].", nameof(logs));
            }

            if (!double.IsFinite(row.Reward))
            {
                throw new ArgumentException($"Logged decision {i}: reward {row.Reward} is not a finite number.", nameof(logs));
            }

            if (row.Context.Length != dimension)
            {
                throw new ArgumentException($"Logged decision {i}: context has {row.Context.Length} values; the first row has {dimension}.", nameof(logs));
            }
        }
    }

    private static void CheckTarget(ReadOnlySpan<double> pi, int row)
    {
        var sum = 0.0;
        foreach (var p in pi)
        {
            if (!(p >= 0) || !double.IsFinite(p))
            {
                throw new ArgumentException($"Target policy gave probability {p} for row {row}.");
            }

            sum += p;
        }

        if (Math.Abs(sum - 1) > 1e-6)
        {
            throw new ArgumentException($"Target policy probabilities for row {row} sum to {sum}, not 1.");
        }
    }

    private static OpeEstimate Mean(string name, double[] terms, double z)
    {
        var s = GroupSummary.Of(terms);
        var se = Math.Sqrt(s.Variance / terms.Length);
        return new OpeEstimate(name, s.Mean, se, s.Mean - (z * se), s.Mean + (z * se));
    }
}
