using Attune.Experiments.Statistics;

namespace Attune.Experiments.Tests.Statistics;

public sealed class HypothesisTestTests
{
    [Fact]
    public void Two_proportion_test_matches_a_hand_computed_example()
    {
        // 200/1000 vs 250/1000: pooled p = 0.225, z = 0.05 / sqrt(0.225 * 0.775 * 0.002) = 2.67740.
        var r = HypothesisTests.TwoProportion(200, 1000, 250, 1000);

        Assert.Equal(0.05, r.Difference, 12);
        Assert.Equal(2.6773977630083294, r.Statistic, 9);
        Assert.Equal(0.007419649261025679, r.PValue, 9);
        Assert.Equal(0.013463621687539853, r.Lower, 9);
        Assert.Equal(0.08653637831246015, r.Upper, 9);
        Assert.Equal(0.25, r.RelativeLift, 12);
        Assert.True(r.Significant);
    }

    [Fact]
    public void Welch_test_matches_the_textbook_example()
    {
        // Welch's t-test, example 1 of the Wikipedia article: t = 2.46, df = 24.99, p = 0.021.
        double[] a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
        double[] b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

        var r = HypothesisTests.Welch(GroupSummary.Of(a), GroupSummary.Of(b));

        Assert.Equal(2.166666666666668, r.Difference, 9);
        Assert.Equal(2.455356398286006, r.Statistic, 9);
        Assert.Equal(24.98852929023142, r.DegreesOfFreedom, 9);
        Assert.Equal(0.021378, r.PValue, 5);
        Assert.True(r.Lower > 0 && r.Upper > r.Difference);
        Assert.Equal(r.Difference - r.Lower, r.Upper - r.Difference, 9);
        Assert.Equal(Distributions.StudentTQuantile(0.975, r.DegreesOfFreedom) * r.StandardError, r.Upper - r.Difference, 9);
    }

    [Fact]
    public void Sample_ratio_mismatch_flags_a_broken_split_and_passes_a_fair_one()
    {
        var fair = SampleRatio.Check([5020L, 4980L], [1.0, 1.0]);
        var broken = SampleRatio.Check([5200L, 4800L], [1.0, 1.0]);

        Assert.Equal(0.16, fair.ChiSquare, 9);
        Assert.False(fair.Mismatch);
        Assert.Equal(16.0, broken.ChiSquare, 9);
        Assert.Equal(6.334248366623996e-05, broken.PValue, 10);
        Assert.True(broken.Mismatch);
    }

    [Fact]
    public void Sample_size_matches_the_textbook_formula()
    {
        // 10% -> 12% at alpha 0.05, power 0.8: (1.96 sqrt(2 * 0.11 * 0.89) + 0.8416 sqrt(0.09 + 0.1056))^2 / 0.02^2 = 3840.6.
        var n = Power.SampleSizeProportions(0.10, 0.12);

        Assert.Equal(3841, n);
        Assert.Equal(0.8, Power.PowerProportions(0.10, 0.12, n), 3);
        Assert.Equal(63, Power.SampleSizeMeans(0.5, 1.0));
    }

    [Fact]
    public void Msprt_matches_its_closed_form()
    {
        // D = 0.1, V = 0.001, tau = 0.1: Lambda = sqrt(0.001 / 0.011) exp(0.01 * 0.01 / (2 * 0.001 * 0.011)).
        var look = Msprt.Evaluate(0.1, 0.001, 0.1, 0.05);
        var expected = Math.Sqrt(0.001 / 0.011) * Math.Exp(0.0001 / (2 * 0.001 * 0.011));

        Assert.Equal(expected, look.LikelihoodRatio, 6);
        Assert.Equal(1 / expected, look.PValue, 9);
        Assert.True(look.Rejected);

        // The interval's ends are exactly where Lambda = 1 / alpha.
        var atEdge = Msprt.Evaluate(look.Upper - look.Difference, 0.001, 0.1, 0.05);
        Assert.Equal(20, atEdge.LikelihoodRatio, 6);
    }

    [Fact]
    public void Msprt_p_value_never_increases_across_looks()
    {
        var test = new Msprt(0.1);
        var a = test.Look(0.08, 0.001);
        var b = test.Look(0.0, 0.0005);

        Assert.Equal(a.PValue, b.PValue);
        Assert.True(b.Rejected == a.Rejected);
    }
}
