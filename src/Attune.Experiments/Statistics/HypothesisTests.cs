namespace Attune.Experiments.Statistics;

/// <summary>Fixed-horizon tests of a treatment against a control.</summary>
/// <remarks>
/// Two-proportion z-test: the statistic uses the pooled rate under H0, z = (p_t - p_c) / sqrt(p (1 - p) (1/n_c + 1/n_t)),
/// and the interval the unpooled (Wald) standard error sqrt(p_c (1 - p_c) / n_c + p_t (1 - p_t) / n_t)
/// (Agresti and Caffo 2000 discuss both). Welch's t-test (Welch 1947): t = (m_t - m_c) / sqrt(s_c^2 / n_c + s_t^2 / n_t)
/// with Welch-Satterthwaite degrees of freedom. Both O(1) given the group summaries.
/// </remarks>
public static class HypothesisTests
{
    public static TestResult TwoProportion(long controlSuccesses, long controlTotal, long treatmentSuccesses, long treatmentTotal, double alpha = 0.05)
    {
        CheckAlpha(alpha);
        if (controlTotal <= 0 || treatmentTotal <= 0)
        {
            throw new ArgumentException($"Each group needs at least one unit (control {controlTotal}, treatment {treatmentTotal}).");
        }

        if (controlSuccesses < 0 || controlSuccesses > controlTotal || treatmentSuccesses < 0 || treatmentSuccesses > treatmentTotal)
        {
            throw new ArgumentException($"Successes must lie in [0, total] (control {controlSuccesses}/{controlTotal}, treatment {treatmentSuccesses}/{treatmentTotal}).");
        }

        var pc = (double)controlSuccesses / controlTotal;
        var pt = (double)treatmentSuccesses / treatmentTotal;
        var pooled = (double)(controlSuccesses + treatmentSuccesses) / (controlTotal + treatmentTotal);
        var sePooled = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / controlTotal) + (1.0 / treatmentTotal)));
        var se = Math.Sqrt((pc * (1 - pc) / controlTotal) + (pt * (1 - pt) / treatmentTotal));
        var diff = pt - pc;
        var z = sePooled > 0 ? diff / sePooled : 0;
        var p = sePooled > 0 ? Distributions.NormalTwoSided(z) : 1;
        var q = Distributions.NormalQuantile(1 - (alpha / 2));
        return new TestResult(pc, pt, diff, se, diff - (q * se), diff + (q * se), z, double.PositiveInfinity, p, alpha);
    }

    public static TestResult Welch(GroupSummary control, GroupSummary treatment, double alpha = 0.05)
    {
        CheckAlpha(alpha);
        if (control.Count < 2 || treatment.Count < 2)
        {
            throw new ArgumentException($"Welch's t-test needs at least 2 units per group (control {control.Count}, treatment {treatment.Count}).");
        }

        var vc = control.Variance / control.Count;
        var vt = treatment.Variance / treatment.Count;
        var se = Math.Sqrt(vc + vt);
        var diff = treatment.Mean - control.Mean;
        if (se == 0)
        {
            return new TestResult(control.Mean, treatment.Mean, diff, 0, diff, diff, 0, double.PositiveInfinity, diff == 0 ? 1 : 0, alpha);
        }

        var df = (vc + vt) * (vc + vt) / ((vc * vc / (control.Count - 1)) + (vt * vt / (treatment.Count - 1)));
        var t = diff / se;
        var q = Distributions.StudentTQuantile(1 - (alpha / 2), df);
        return new TestResult(control.Mean, treatment.Mean, diff, se, diff - (q * se), diff + (q * se), t, df, Distributions.StudentTTwoSided(t, df), alpha);
    }

    internal static void CheckAlpha(double alpha)
    {
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha={alpha} must be in (0, 1).");
        }
    }
}
