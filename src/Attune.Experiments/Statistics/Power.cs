namespace Attune.Experiments.Statistics;

/// <summary>Power and sample size of two-sided, two-group tests with equal group sizes.</summary>
/// <remarks>
/// Proportions (Fleiss, Levin, Paik, Statistical Methods for Rates and Proportions, 3rd ed., eq. 4.14, without
/// continuity correction), consistent with <see cref="HypothesisTests.TwoProportion"/>'s pooled statistic:
/// n = (z_{1-alpha/2} sqrt(2 pbar qbar) + z_{1-beta} sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2 per group.
/// Means: n = 2 (z_{1-alpha/2} + z_{1-beta})^2 sigma^2 / delta^2 per group (normal approximation to Welch).
/// Power ignores the negligible chance of rejecting in the wrong direction. O(1).
/// </remarks>
public static class Power
{
    /// <summary>Units per group to detect a change of the rate from <paramref name="baseline"/> to <paramref name="treatment"/>.</summary>
    public static long SampleSizeProportions(double baseline, double treatment, double alpha = 0.05, double power = 0.8)
    {
        CheckRates(baseline, treatment);
        CheckPower(alpha, power);
        var pbar = (baseline + treatment) / 2;
        var za = Distributions.NormalQuantile(1 - (alpha / 2));
        var zb = Distributions.NormalQuantile(power);
        var root = (za * Math.Sqrt(2 * pbar * (1 - pbar))) + (zb * Math.Sqrt((baseline * (1 - baseline)) + (treatment * (1 - treatment))));
        return (long)Math.Ceiling(root * root / ((treatment - baseline) * (treatment - baseline)));
    }

    /// <summary>The probability of a significant result with <paramref name="perGroup"/> units per group.</summary>
    public static double PowerProportions(double baseline, double treatment, long perGroup, double alpha = 0.05)
    {
        CheckRates(baseline, treatment);
        HypothesisTests.CheckAlpha(alpha);
        ArgumentOutOfRangeException.ThrowIfLessThan(perGroup, 1);
        var pbar = (baseline + treatment) / 2;
        var za = Distributions.NormalQuantile(1 - (alpha / 2));
        var numerator = (Math.Abs(treatment - baseline) * Math.Sqrt(perGroup)) - (za * Math.Sqrt(2 * pbar * (1 - pbar)));
        return Distributions.NormalCdf(numerator / Math.Sqrt((baseline * (1 - baseline)) + (treatment * (1 - treatment))));
    }

    /// <summary>Units per group to detect a difference <paramref name="delta"/> of means with unit standard deviation <paramref name="sigma"/>.</summary>
    public static long SampleSizeMeans(double delta, double sigma, double alpha = 0.05, double power = 0.8)
    {
        CheckPower(alpha, power);
        if (!(delta != 0 && double.IsFinite(delta)) || !(sigma > 0 && double.IsFinite(sigma)))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), $"delta={delta} must be non-zero and sigma={sigma} positive.");
        }

        var z = Distributions.NormalQuantile(1 - (alpha / 2)) + Distributions.NormalQuantile(power);
        return (long)Math.Ceiling(2 * z * z * sigma * sigma / (delta * delta));
    }

    public static double PowerMeans(double delta, double sigma, long perGroup, double alpha = 0.05)
    {
        HypothesisTests.CheckAlpha(alpha);
        ArgumentOutOfRangeException.ThrowIfLessThan(perGroup, 1);
        var za = Distributions.NormalQuantile(1 - (alpha / 2));
        return Distributions.NormalCdf((Math.Abs(delta) / (sigma * Math.Sqrt(2.0 / perGroup))) - za);
    }

    private static void CheckRates(double baseline, double treatment)
    {
        if (!(baseline > 0 && baseline < 1) || !(treatment > 0 && treatment < 1) || baseline == treatment)
        {
            throw new ArgumentOutOfRangeException(nameof(treatment), $"Rates must be in (0, 1) and differ (baseline {baseline}, treatment {treatment}).");
        }
    }

    private static void CheckPower(double alpha, double power)
    {
        HypothesisTests.CheckAlpha(alpha);
        if (!(power > 0 && power < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(power), $"power={power} must be in (0, 1).");
        }
    }
}
