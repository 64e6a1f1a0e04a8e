namespace Attune.Experiments.Statistics;

/// <summary>One look of the mixture sequential probability ratio test.</summary>
/// <param name="Difference">Treatment minus control at this look.</param>
/// <param name="Variance">The variance V of the difference at this look (sigma_c^2 / n_c + sigma_t^2 / n_t).</param>
/// <param name="LikelihoodRatio">The mixture likelihood ratio Lambda_n against H0: difference = 0.</param>
/// <param name="PValue">The always-valid p-value: the running minimum of 1 / Lambda over all looks so far.</param>
/// <param name="Lower">Lower end of the always-valid (1 - alpha) confidence interval.</param>
/// <param name="Upper">Upper end.</param>
/// <param name="Rejected">Whether H0 has been rejected at any look so far (p &lt; alpha).</param>
public sealed record MsprtLook(double Difference, double Variance, double LikelihoodRatio, double PValue, double Lower, double Upper, bool Rejected);

/// <summary>
/// The mixture sequential probability ratio test (mSPRT) for a difference of means (or rates) with a normal
/// mixing distribution N(0, tau^2): valid however often the results are looked at.
/// </summary>
/// <remarks>
/// Johari, Koomen, Pekelis, Walsh, "Peeking at A/B Tests: Why it Matters, and What to Do About It" (KDD 2017)
/// and "Always Valid Inference" (Operations Research 2022). With the difference estimate D and its variance V,
/// Lambda = sqrt(V / (V + tau^2)) exp(tau^2 D^2 / (2 V (V + tau^2))). Lambda is a nonnegative martingale under
/// H0, so by Ville's inequality P(sup_n Lambda_n &gt;= 1 / alpha) &lt;= alpha: rejecting the first time
/// Lambda &gt;= 1 / alpha keeps the type-I error at most alpha under continuous monitoring. The always-valid
/// interval inverts the same test: D +- sqrt(2 V (V + tau^2) / tau^2 (log(1 / alpha) + log((V + tau^2) / V) / 2)).
/// The variance uses the plug-in (estimated) sigma^2, the large-sample version the paper deploys. O(1) per look.
/// tau should be of the order of the effects one hopes to detect; the default in the service is 10% of the
/// metric's standard deviation or the experiment's minimum detectable effect when given.
/// </remarks>
public sealed class Msprt
{
    private double _minP = 1;
    private bool _rejected;

    public Msprt(double tau, double alpha = 0.05)
    {
        HypothesisTests.CheckAlpha(alpha);
        if (!(tau > 0 && double.IsFinite(tau)))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), $"mSPRT mixing scale tau={tau} must be positive and finite.");
        }

        Tau = tau;
        Alpha = alpha;
    }

    public double Tau { get; }

    public double Alpha { get; }

    /// <summary>Takes one look at the cumulative data and returns the test's state (p-values only go down).</summary>
    public MsprtLook Look(double difference, double variance)
    {
        var look = Evaluate(difference, variance, Tau, Alpha);
        _minP = Math.Min(_minP, look.PValue);
        _rejected |= _minP < Alpha;
        return look with { PValue = _minP, Rejected = _rejected };
    }

    /// <summary>Looks at two group summaries (means and unit variances).</summary>
    public MsprtLook Look(GroupSummary control, GroupSummary treatment) =>
        Look(treatment.Mean - control.Mean, (control.Variance / Math.Max(1, control.Count)) + (treatment.Variance / Math.Max(1, treatment.Count)));

    /// <summary>A single look, without the running minimum.</summary>
    public static MsprtLook Evaluate(double difference, double variance, double tau, double alpha)
    {
        if (!(variance > 0) || !double.IsFinite(variance))
        {
            return new MsprtLook(difference, variance, 1, 1, double.NegativeInfinity, double.PositiveInfinity, false);
        }

        var tau2 = tau * tau;
        var logLambda = (0.5 * Math.Log(variance / (variance + tau2))) + (tau2 * difference * difference / (2 * variance * (variance + tau2)));
        var p = Math.Min(1, Math.Exp(-logLambda));
        var half = Math.Sqrt(2 * variance * (variance + tau2) / tau2 * (Math.Log(1 / alpha) + (0.5 * Math.Log((variance + tau2) / variance))));
        return new MsprtLook(difference, variance, Math.Exp(logLambda), p, difference - half, difference + half, p < alpha);
    }
}
