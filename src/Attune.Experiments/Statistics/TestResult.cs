namespace Attune.Experiments.Statistics;

/// <summary>
/// The comparison of a treatment with a control: the difference of the treatment and control estimates,
/// its confidence interval, the test statistic and its two-sided p-value.
/// </summary>
/// <param name="Control">The control group's estimate (rate or mean).</param>
/// <param name="Treatment">The treatment group's estimate.</param>
/// <param name="Difference">Treatment minus control.</param>
/// <param name="StandardError">Standard error of the difference used for the interval.</param>
/// <param name="Lower">Lower end of the (1 - alpha) confidence interval of the difference.</param>
/// <param name="Upper">Upper end.</param>
/// <param name="Statistic">z or t.</param>
/// <param name="DegreesOfFreedom">Welch-Satterthwaite degrees of freedom; infinity for a z-test.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="Alpha">The significance level the interval was built for.</param>
public sealed record TestResult(
    double Control,
    double Treatment,
    double Difference,
    double StandardError,
    double Lower,
    double Upper,
    double Statistic,
    double DegreesOfFreedom,
    double PValue,
    double Alpha)
{
    /// <summary>Difference relative to the control (NaN when the control is 0).</summary>
    public double RelativeLift => Control == 0 ? double.NaN : Difference / Control;

    public bool Significant => PValue < Alpha;
}

/// <summary>Sufficient statistics of one group of a continuous metric.</summary>
public readonly record struct GroupSummary(long Count, double Mean, double Variance)
{
    /// <summary>Mean and unbiased variance (n - 1) of <paramref name="values"/>, computed with Welford's update.</summary>
    public static GroupSummary Of(ReadOnlySpan<double> values)
    {
        double mean = 0, m2 = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var delta = values[i] - mean;
            mean += delta / (i + 1);
            m2 += delta * (values[i] - mean);
        }

        return new GroupSummary(values.Length, mean, values.Length > 1 ? m2 / (values.Length - 1) : 0);
    }
}
