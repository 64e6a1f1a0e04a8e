using Attune.Algorithms.Bandits;
using Attune.Experiments.Statistics;

namespace Attune.Experiments.Tests.Statistics;

public sealed class GroupSequentialTests
{
    [Fact]
    public void OBrien_Fleming_boundaries_for_five_looks_match_the_published_values()
    {
        // Lan-DeMets O'Brien-Fleming type, two-sided alpha 0.05, equally spaced (Jennison and Turnbull 2000, table 7.6; R ldbounds).
        double[] expected = [4.877, 3.357, 2.680, 2.290, 2.031];

        var design = GroupSequentialDesign.For(5, 0.05, SpendingFunction.OBrienFleming);

        for (var k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], design.Boundaries[k], 0.002);
        }

        Assert.Equal(0.05, design.AlphaSpent[^1], 12);
    }

    [Fact]
    public void Pocock_type_boundaries_for_five_looks_match_the_published_values()
    {
        double[] expected = [2.438, 2.427, 2.410, 2.397, 2.386];

        var design = GroupSequentialDesign.For(5, 0.05, SpendingFunction.Pocock);

        for (var k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], design.Boundaries[k], 0.002);
        }
    }

    [Fact]
    public void A_single_look_is_the_fixed_horizon_test()
    {
        var design = GroupSequentialDesign.For(1, 0.05, SpendingFunction.Pocock);

        Assert.Equal(1.959964, design.Boundaries[0], 5);
    }

    [Theory]
    [InlineData(SpendingFunction.OBrienFleming)]
    [InlineData(SpendingFunction.Pocock)]
    public void Brownian_paths_under_the_null_cross_twenty_boundaries_at_rate_alpha(SpendingFunction spending)
    {
        const int Looks = 20, Paths = 100_000;
        var design = GroupSequentialDesign.For(Looks, 0.05, spending);
        var rng = new Random(3);
        var crossed = 0;

        for (var p = 0; p < Paths; p++)
        {
            var s = 0.0;
            for (var k = 1; k <= Looks; k++)
            {
                s += Sampling.Normal(rng);
                if (design.Crosses(k, s / Math.Sqrt(k)))
                {
                    crossed++;
                    break;
                }
            }
        }

        // Binomial standard error at 100,000 paths is 0.0007.
        Assert.InRange(crossed / (double)Paths, 0.0475, 0.0525);
    }

    [Fact]
    public void Evaluate_uses_the_boundary_of_the_last_planned_look_reached()
    {
        var design = GroupSequentialDesign.For(4);

        var before = design.Evaluate(10, 0.2);
        var second = design.Evaluate(2.9, 0.6);
        var end = design.Evaluate(2.1, 1.3);

        Assert.Equal(0, before.Look);
        Assert.False(before.Rejected);
        Assert.Equal(2, second.Look);
        Assert.Equal(design.Boundaries[1], second.Boundary);
        Assert.Equal(second.Statistic >= design.Boundaries[1], second.Rejected);
        Assert.Equal(4, end.Look);
        Assert.Equal(1, end.InformationFraction);
        Assert.True(end.Rejected);
        Assert.Equal(0.05, end.AlphaSpent, 12);
    }

    [Fact]
    public void Bad_designs_are_refused_with_a_reason()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupSequentialDesign.For(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupSequentialDesign.For(5, 1.5));
        var e = Assert.Throws<ArgumentException>(() => GroupSequentialDesign.ComputeBoundaries([0.5, 0.4], 0.05, SpendingFunction.Pocock));
        Assert.Contains("look 2", e.Message, StringComparison.Ordinal);
    }
}
