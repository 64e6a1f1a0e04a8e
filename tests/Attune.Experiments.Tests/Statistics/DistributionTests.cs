using Attune.Experiments.Statistics;

namespace Attune.Experiments.Tests.Statistics;

public sealed class DistributionTests
{
    [Theory]
    [InlineData(1.959963984540054, 0.975)]
    [InlineData(0.0, 0.5)]
    [InlineData(-1.0, 0.15865525393145707)]
    [InlineData(-5.0, 2.866515718791939e-7)]
    public void Normal_cdf_matches_tabulated_values(double x, double expected) =>
        Assert.Equal(expected, Distributions.NormalCdf(x), 1e-12 + (expected * 1e-9));

    [Theory]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.8, 0.8416212335729143)]
    [InlineData(0.001, -3.090232306167813)]
    public void Normal_quantile_matches_tabulated_values(double p, double expected) =>
        Assert.Equal(expected, Distributions.NormalQuantile(p), 1e-12);

    [Theory]
    [InlineData(2.0, 10, 0.9633059826146298)]
    [InlineData(-1.5, 3, 0.11529193262241144)] // closed form for df = 3: 1/2 + (t / (sqrt(3) (1 + t^2 / 3)) + atan(t / sqrt(3))) / pi
    public void Student_t_cdf_matches_tabulated_values(double t, double df, double expected) =>
        Assert.Equal(expected, Distributions.StudentTCdf(t, df), 1e-9);

    [Theory]
    [InlineData(0.975, 10, 2.228138851986274)]
    [InlineData(0.975, 5, 2.570581835636314)]
    public void Student_t_quantile_matches_tables(double p, double df, double expected) =>
        Assert.Equal(expected, Distributions.StudentTQuantile(p, df), 1e-9);

    [Theory]
    [InlineData(3.841458820694124, 1, 0.05)]
    [InlineData(5.991464547107979, 2, 0.05)]
    [InlineData(10.0, 2, 0.006737946999085467)]
    [InlineData(11.344866730144373, 3, 0.01)]
    public void Chi_square_survival_matches_tables(double x, double df, double expected) =>
        Assert.Equal(expected, Distributions.ChiSquareSurvival(x, df), 1e-10);
}
