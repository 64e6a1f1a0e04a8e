namespace Attune.Experiments.Statistics;

/// <summary>The outcome of a sample-ratio-mismatch check.</summary>
/// <param name="ChiSquare">Pearson's statistic sum (observed - expected)^2 / expected.</param>
/// <param name="DegreesOfFreedom">Number of groups minus one.</param>
/// <param name="PValue">P(chi-square &gt;= statistic).</param>
/// <param name="Mismatch">Whether the p-value is below the threshold (0.001 by convention): the assignment is broken and results should not be trusted.</param>
public sealed record SampleRatioResult(double ChiSquare, int DegreesOfFreedom, double PValue, bool Mismatch);

/// <summary>Sample-ratio-mismatch check: Pearson's chi-square goodness of fit of group sizes to the planned allocation.</summary>
/// <remarks>
/// Fabijan et al., "Diagnosing Sample Ratio Mismatch in Online Controlled Experiments" (KDD 2019), who use
/// the threshold p &lt; 0.0005; Kohavi, Tang, Xu, "Trustworthy Online Controlled Experiments" (2020), ch. 21. O(groups).
/// </remarks>
public static class SampleRatio
{
    public static SampleRatioResult Check(ReadOnlySpan<long> observed, ReadOnlySpan<double> weights, double threshold = 0.001)
    {
        if (observed.Length != weights.Length || observed.Length < 2)
        {
            throw new ArgumentException($"Need at least two groups and one weight per group (groups {observed.Length}, weights {weights.Length}).");
        }

        double total = 0, weightSum = 0;
        for (var i = 0; i < observed.Length; i++)
        {
            if (observed[i] < 0 || !(weights[i] > 0))
            {
                throw new ArgumentException($"Group {i}: counts must be >= 0 and weights > 0 (count {observed[i]}, weight {weights[i]}).");
            }

            total += observed[i];
            weightSum += weights[i];
        }

        if (total == 0)
        {
            return new SampleRatioResult(0, observed.Length - 1, 1, false);
        }

        var chi = 0.0;
        for (var i = 0; i < observed.Length; i++)
        {
            var expected = total * weights[i] / weightSum;
            chi += (observed[i] - expected) * (observed[i] - expected) / expected;
        }

        var p = Distributions.ChiSquareSurvival(chi, observed.Length - 1);
        return new SampleRatioResult(chi, observed.Length - 1, p, p < threshold);
    }
}
