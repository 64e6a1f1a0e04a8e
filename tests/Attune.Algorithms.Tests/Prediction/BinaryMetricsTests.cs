using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Tests.Prediction;

public sealed class BinaryMetricsTests
{
    [Fact]
    public void Auc_of_a_hand_computed_case()
    {
        // Pairs (positive, negative): (0.35, 0.1) right, (0.35, 0.4) wrong, (0.8, 0.1) right, (0.8, 0.4) right.
        Assert.Equal(0.75, BinaryMetrics.Auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 12);
    }

    [Fact]
    public void Auc_counts_tied_pairs_as_one_half()
    {
        // (0.5 vs 0.5) twice = 1, (0.9 vs 0.5) twice = 2: 3 of 4 pairs.
        Assert.Equal(0.75, BinaryMetrics.Auc([0.5, 0.5, 0.5, 0.9], [0, 1, 0, 1]), 12);
        Assert.Equal(0.5, BinaryMetrics.Auc([1, 1, 1, 1], [0, 1, 0, 1]), 12);
    }

    [Fact]
    public void DeLong_interval_of_a_hand_computed_case()
    {
        // V10 = (0.5, 1), V01 = (1, 0.5); each sample variance 0.125, so Var = 0.125/2 + 0.125/2 = 0.125.
        var estimate = BinaryMetrics.AucWithInterval([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);

        Assert.Equal(0.75, estimate.Auc, 12);
        Assert.Equal(Math.Sqrt(0.125), estimate.StandardError, 12);
        Assert.Equal(0.75 - (1.959963984540054 * Math.Sqrt(0.125)), estimate.Lower, 12);
        Assert.Equal(1.0, estimate.Upper, 12);
    }

    [Fact]
    public void Fast_DeLong_matches_the_quadratic_definition_with_ties()
    {
        var rng = new Random(3);
        var scores = Enumerable.Range(0, 300).Select(_ => Math.Round(rng.NextDouble() * 20) / 20).ToArray();
        var labels = scores.Select(s => rng.NextDouble() < 0.2 + (0.5 * s) ? 1f : 0f).ToArray();

        var fast = BinaryMetrics.AucWithInterval(scores, labels);

        var pos = scores.Where((_, i) => labels[i] == 1).ToArray();
        var neg = scores.Where((_, i) => labels[i] == 0).ToArray();
        static double Psi(double x, double y) => x > y ? 1 : x == y ? 0.5 : 0;
        var v10 = pos.Select(x => neg.Average(y => Psi(x, y))).ToArray();
        var v01 = neg.Select(y => pos.Average(x => Psi(x, y))).ToArray();
        var auc = v10.Average();
        static double Var(double[] v) => v.Sum(x => (x - v.Average()) * (x - v.Average())) / (v.Length - 1);
        var se = Math.Sqrt((Var(v10) / pos.Length) + (Var(v01) / neg.Length));
        Assert.Equal(auc, fast.Auc, 10);
        Assert.Equal(se, fast.StandardError, 10);
    }

    [Fact]
    public void Auc_needs_both_classes()
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryMetrics.Auc([0.1, 0.2], [1, 1]));

        Assert.Contains("0 negatives", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_loss_of_a_hand_computed_case()
    {
        Assert.Equal(-(Math.Log(0.9) + Math.Log(0.8)) / 2, BinaryMetrics.LogLoss([0.9, 0.2], [1, 0]), 12);
        Assert.True(double.IsFinite(BinaryMetrics.LogLoss([0.0], [1])));
    }

    [Fact]
    public void Calibration_groups_rows_by_ascending_probability()
    {
        double[] p = [0.9, 0.1, 0.2, 0.8, 0.3, 0.7];
        float[] y = [1, 0, 0, 1, 1, 0];

        var table = BinaryMetrics.Calibration(p, y, groups: 2);

        Assert.Equal(new ScoreGroup(1, 3, 0.2, 1 / 3.0, (1 / 3.0) / 0.5), table[0], new GroupComparer());
        Assert.Equal(new ScoreGroup(2, 3, 0.8, 2 / 3.0, (2 / 3.0) / 0.5), table[1], new GroupComparer());
    }

    [Fact]
    public void Lift_puts_the_highest_scores_in_the_first_decile()
    {
        var p = Enumerable.Range(0, 100).Select(i => i / 100.0).ToArray();
        var y = Enumerable.Range(0, 100).Select(i => i >= 90 ? 1f : 0f).ToArray();

        var lift = BinaryMetrics.LiftByDecile(p, y);

        Assert.Equal(10, lift.Count);
        Assert.Equal(1.0, lift[0].ObservedRate, 12);
        Assert.Equal(10.0, lift[0].Lift, 12);
        Assert.All(lift.Skip(1), g => Assert.Equal(0.0, g.Lift));
        Assert.Equal(100, lift.Sum(g => g.Count));
    }

    private sealed class GroupComparer : IEqualityComparer<ScoreGroup>
    {
        public bool Equals(ScoreGroup a, ScoreGroup b) =>
            a.Group == b.Group && a.Count == b.Count && Math.Abs(a.MeanPredicted - b.MeanPredicted) < 1e-12 &&
            Math.Abs(a.ObservedRate - b.ObservedRate) < 1e-12 && Math.Abs(a.Lift - b.Lift) < 1e-12;

        public int GetHashCode(ScoreGroup obj) => obj.Group;
    }
}
