using Attune.Core;
using Attune.Experiments.Assignment;
using Attune.Experiments.Statistics;

namespace Attune.Experiments.Metrics;

/// <summary>
/// Computes an experiment's results from the event log: users are assigned by the same function that serves
/// them (no exposure log needed), each user's events in the window become per-user metric values, and every
/// treatment is compared with the control (the first variant).
/// </summary>
/// <remarks>
/// The population is the users with at least one event in [from, to) whom the assignment function puts in the
/// experiment. Conversion: two-proportion z-test. Count and revenue: Welch's t-test, plus CUPED with the same
/// metric over the pre-period [from - (to - from), from) as covariate. Ratio (e.g. CTR): ratio of sums per
/// variant with the delta-method variance Var(R) = (s_n^2 - 2 R s_nd + R^2 s_d^2) / (n mean_d^2)
/// (Deng, Knoblich, Lu, "Applying the Delta Method in Metric Analytics", KDD 2018) and a z-test on the difference.
/// Every comparison also carries the mSPRT always-valid p-value and interval and, when the experiment plans its
/// sample (<c>plannedUsers</c>), the group-sequential test at the planned look reached (information fraction = users
/// seen / planned users). O(events in both windows + users x metrics).
/// Only events that name an item are in the snapshot the engine hands over.
/// </remarks>
public static class ExperimentAnalyzer
{
    public static ExperimentResults Analyze(ExperimentDefinition experiment, HoldoutSettings? holdout, InteractionSnapshot snapshot, long fromMs, long toMs)
    {
        var preFrom = fromMs - Math.Max(0, toMs - fromMs);
        var arms = experiment.Variants.Count;
        var variantOf = new int[snapshot.UserIds.Length];
        Array.Fill(variantOf, -2);
        var metrics = experiment.Metrics;
        var typeIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < snapshot.Types.Length; t++)
        {
            typeIndex[snapshot.Types[t]] = t;
        }

        var users = new Dictionary<int, UserValues>();
        for (var r = 0; r < snapshot.Count; r++)
        {
            var ts = snapshot.TimestampMs[r];
            if (ts < preFrom || ts >= toMs)
            {
                continue;
            }

            var u = snapshot.UserIndex[r];
            if (variantOf[u] == -2)
            {
                variantOf[u] = ExperimentAssigner.Assign(experiment, snapshot.UserIds[u], holdout)?.VariantIndex ?? -1;
            }

            if (variantOf[u] < 0)
            {
                continue;
            }

            if (!users.TryGetValue(u, out var values))
            {
                values = new UserValues(metrics.Count);
                users[u] = values;
            }

            var inWindow = ts >= fromMs;
            values.Active |= inWindow;
            var type = snapshot.Types[snapshot.TypeIndex[r]];
            for (var m = 0; m < metrics.Count; m++)
            {
                var metric = metrics[m];
                var value = metric.Kind == MetricKind.Revenue ? (float.IsNaN(snapshot.Value[r]) ? 0 : snapshot.Value[r]) : 1;
                if (type == metric.EventType)
                {
                    if (inWindow)
                    {
                        values.Numerator[m] += value;
                    }
                    else
                    {
                        values.Pre[m] += value;
                    }
                }

                if (inWindow && type == metric.DenominatorEventType)
                {
                    values.Denominator[m] += 1;
                }
            }
        }

        var byArm = new List<UserValues>[arms];
        for (var a = 0; a < arms; a++)
        {
            byArm[a] = [];
        }

        foreach (var (u, values) in users)
        {
            if (values.Active)
            {
                byArm[variantOf[u]].Add(values);
            }
        }

        var sizes = new long[arms];
        var weights = new double[arms];
        var userCounts = new List<VariantValue>();
        for (var a = 0; a < arms; a++)
        {
            sizes[a] = byArm[a].Count;
            weights[a] = experiment.Variants[a].Weight;
            userCounts.Add(new VariantValue(experiment.Variants[a].Id, sizes[a], sizes[a]));
        }

        var srm = sizes.Sum() > 0 ? SampleRatio.Check(sizes, weights) : null;
        var results = new List<MetricResult>();
        for (var m = 0; m < metrics.Count; m++)
        {
            results.Add(AnalyzeMetric(experiment, m, byArm));
        }

        return new ExperimentResults(experiment.Id, fromMs, toMs, userCounts, srm, results);
    }

    private static MetricResult AnalyzeMetric(ExperimentDefinition experiment, int m, List<UserValues>[] byArm)
    {
        long users = 0;
        foreach (var group in byArm)
        {
            users += group.Count;
        }

        var metric = experiment.Metrics[m];
        var arms = byArm.Length;
        var values = new List<VariantValue>();
        var comparisons = new List<Comparison>();
        var y = new double[arms][];
        var x = new double[arms][];
        for (var a = 0; a < arms; a++)
        {
            var group = byArm[a];
            y[a] = new double[group.Count];
            x[a] = new double[group.Count];
            for (var i = 0; i < group.Count; i++)
            {
                y[a][i] = metric.Kind == MetricKind.Conversion ? (group[i].Numerator[m] > 0 ? 1 : 0) : group[i].Numerator[m];
                x[a][i] = metric.Kind == MetricKind.Conversion ? (group[i].Pre[m] > 0 ? 1 : 0) : group[i].Pre[m];
            }

            var value = metric.Kind == MetricKind.Ratio ? Ratio(group, m).Value : GroupSummary.Of(y[a]).Mean;
            values.Add(new VariantValue(experiment.Variants[a].Id, group.Count, value));
        }

        for (var a = 1; a < arms; a++)
        {
            if (byArm[0].Count < 2 || byArm[a].Count < 2)
            {
                continue;
            }

            TestResult test;
            CupedResult? cuped = null;
            switch (metric.Kind)
            {
                case MetricKind.Conversion:
                    test = HypothesisTests.TwoProportion((long)y[0].Sum(), y[0].Length, (long)y[a].Sum(), y[a].Length, experiment.Alpha);
                    break;
                case MetricKind.Ratio:
                    test = RatioTest(Ratio(byArm[0], m), Ratio(byArm[a], m), experiment.Alpha);
                    break;
                default:
                    test = HypothesisTests.Welch(GroupSummary.Of(y[0]), GroupSummary.Of(y[a]), experiment.Alpha);
                    cuped = Cuped.Compare(y[0], x[0], y[a], x[a], experiment.Alpha);
                    break;
            }

            var control = GroupSummary.Of(y[0]);
            var tau = experiment.MinimumDetectableEffect is { } mde && test.Control != 0
                ? mde * Math.Abs(test.Control)
                : 0.1 * Math.Sqrt(Math.Max(control.Variance, 1e-12));
            var sequential = Msprt.Evaluate(test.Difference, test.StandardError * test.StandardError, Math.Max(tau, 1e-12), experiment.Alpha);
            GroupSequentialLook? planned = null;
            if (experiment.PlannedUsers is { } plannedUsers)
            {
                var design = GroupSequentialDesign.For(experiment.PlannedLooks, experiment.Alpha, experiment.Spending);
                planned = design.Evaluate(test.Statistic, (double)users / plannedUsers);
            }

            comparisons.Add(new Comparison(experiment.Variants[a].Id, test, cuped, sequential, planned));
        }

        return new MetricResult(metric.Name, metric.Kind.ToString().ToLowerInvariant(), values, comparisons);
    }

    private readonly record struct RatioEstimate(double Value, double Variance, long Users);

    private static RatioEstimate Ratio(List<UserValues> group, int m)
    {
        var n = group.Count;
        if (n == 0)
        {
            return new RatioEstimate(0, 0, 0);
        }

        double sn = 0, sd = 0;
        foreach (var g in group)
        {
            sn += g.Numerator[m];
            sd += g.Denominator[m];
        }

        var mn = sn / n;
        var md = sd / n;
        if (md == 0)
        {
            return new RatioEstimate(0, 0, n);
        }

        var r = mn / md;
        double vnn = 0, vdd = 0, vnd = 0;
        foreach (var g in group)
        {
            var dn = g.Numerator[m] - mn;
            var dd = g.Denominator[m] - md;
            vnn += dn * dn;
            vdd += dd * dd;
            vnd += dn * dd;
        }

        var denom = Math.Max(1, n - 1);
        var variance = ((vnn / denom) - (2 * r * vnd / denom) + (r * r * vdd / denom)) / (n * md * md);
        return new RatioEstimate(r, Math.Max(0, variance), n);
    }

    private static TestResult RatioTest(RatioEstimate control, RatioEstimate treatment, double alpha)
    {
        var diff = treatment.Value - control.Value;
        var se = Math.Sqrt(control.Variance + treatment.Variance);
        var z = se > 0 ? diff / se : 0;
        var q = Distributions.NormalQuantile(1 - (alpha / 2));
        return new TestResult(control.Value, treatment.Value, diff, se, diff - (q * se), diff + (q * se), z, double.PositiveInfinity, se > 0 ? Distributions.NormalTwoSided(z) : 1, alpha);
    }

    private sealed class UserValues(int metrics)
    {
        public double[] Numerator { get; } = new double[metrics];

        public double[] Denominator { get; } = new double[metrics];

        public double[] Pre { get; } = new double[metrics];

        public bool Active { get; set; }
    }
}
