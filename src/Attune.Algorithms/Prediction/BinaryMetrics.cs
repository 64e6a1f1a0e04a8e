namespace Attune.Algorithms.Prediction;

/// <summary>An AUC with its standard error and a two-sided 95% normal confidence interval (clipped to [0, 1]).</summary>
public readonly record struct AucEstimate(double Auc, double StandardError, double Lower, double Upper, int Positives, int Negatives)
{
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Auc:F3} [{Lower:F3}, {Upper:F3}]");
}

/// <summary>One group of a calibration (reliability) or lift table.</summary>
/// <param name="Group">1-based group index (group 1 holds the lowest scores in a calibration table, the highest in a lift table).</param>
/// <param name="Count">Rows in the group.</param>
/// <param name="MeanPredicted">Mean predicted probability in the group.</param>
/// <param name="ObservedRate">Share of positives in the group.</param>
/// <param name="Lift">ObservedRate divided by the overall positive rate.</param>
public readonly record struct ScoreGroup(int Group, int Count, double MeanPredicted, double ObservedRate, double Lift);

/// <summary>Metrics for binary scores: ROC AUC with a DeLong interval, log-loss, calibration and lift by decile.</summary>
public static class BinaryMetrics
{
    /// <summary>
    /// ROC AUC as the Mann-Whitney statistic: the probability that a random positive scores above a random
    /// negative, ties counting one half (mid-ranks). O(n log n).
    /// </summary>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels) => AucWithInterval(scores, labels).Auc;

    /// <summary>
    /// AUC with the DeLong et al. variance ("Comparing the areas under two or more correlated receiver operating
    /// characteristic curves: a nonparametric approach", Biometrics 44, 1988), computed in O(n log n) from
    /// mid-ranks as in Sun and Xu, "Fast implementation of DeLong's algorithm", IEEE SPL 2014:
    /// V10ᵢ = (rank of positive i among all − its rank among positives) / n₀, V01ⱼ = 1 − (rank of negative j among
    /// all − its rank among negatives) / n₁, Var = s²(V10)/n₁ + s²(V01)/n₀, interval AUC ± 1.96·√Var.
    /// </summary>
    public static AucEstimate AucWithInterval(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        CheckLengths(scores, labels);
        var n = scores.Length;
        var positives = 0;
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"scores[{i}] is {scores[i]}; scores must be finite.", nameof(scores));
            }

            positives += labels[i] == 1f ? 1 : 0;
        }

        var negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException($"AUC needs both classes; got {positives} positives and {negatives} negatives.", nameof(labels));
        }

        var allRanks = MidRanks(scores, null, labels, out _);
        var posRanks = MidRanks(scores, 1f, labels, out var posIndex);
        var negRanks = MidRanks(scores, 0f, labels, out var negIndex);

        var v10 = new double[positives];
        for (var k = 0; k < positives; k++)
        {
            v10[k] = (allRanks[posIndex[k]] - posRanks[k]) / negatives;
        }

        var v01 = new double[negatives];
        for (var k = 0; k < negatives; k++)
        {
            v01[k] = 1 - ((allRanks[negIndex[k]] - negRanks[k]) / positives);
        }

        var auc = Mean(v10);
        var variance = (SampleVariance(v10) / positives) + (SampleVariance(v01) / negatives);
        var se = Math.Sqrt(Math.Max(variance, 0));
        return new AucEstimate(auc, se, Math.Max(0, auc - (1.959963984540054 * se)), Math.Min(1, auc + (1.959963984540054 * se)), positives, negatives);
    }

    /// <summary>Mean negative log-likelihood; probabilities are clipped to [1e-15, 1 − 1e-15] as scikit-learn does.</summary>
    public static double LogLoss(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> labels)
    {
        CheckLengths(probabilities, labels);
        if (probabilities.Length == 0)
        {
            throw new ArgumentException("No rows.", nameof(probabilities));
        }

        var sum = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = Math.Clamp(probabilities[i], 1e-15, 1 - 1e-15);
            sum -= labels[i] == 1f ? Math.Log(p) : Math.Log(1 - p);
        }

        return sum / probabilities.Length;
    }

    /// <summary>Log-loss of one row given its log-odds, stable for large |z|.</summary>
    internal static double LogLossOfScore(double z, float label)
    {
        var softplus = z > 0 ? z + double.LogP1(Math.Exp(-z)) : double.LogP1(Math.Exp(z));
        return softplus - (label * z);
    }

    /// <summary>
    /// Reliability table: rows sorted by predicted probability (ascending, ties by input order) and cut into
    /// <paramref name="groups"/> groups of equal count (the first <c>n mod groups</c> groups get one extra row).
    /// A calibrated model has MeanPredicted ≈ ObservedRate in every group.
    /// </summary>
    public static IReadOnlyList<ScoreGroup> Calibration(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> labels, int groups = 10) =>
        Grouped(probabilities, labels, groups, descending: false);

    /// <summary>
    /// Lift table: rows sorted by predicted probability descending and cut into equal-count groups; group 1
    /// is the top decile. Lift = group positive rate / overall positive rate.
    /// </summary>
    public static IReadOnlyList<ScoreGroup> LiftByDecile(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> labels, int groups = 10) =>
        Grouped(probabilities, labels, groups, descending: true);

    private static ScoreGroup[] Grouped(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> labels, int groups, bool descending)
    {
        CheckLengths(probabilities, labels);
        var n = probabilities.Length;
        if (groups < 1 || groups > n)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"groups must be between 1 and the row count ({n}).");
        }

        var p = probabilities.ToArray();
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var c = descending ? p[b].CompareTo(p[a]) : p[a].CompareTo(p[b]);
            return c != 0 ? c : a.CompareTo(b);
        });

        var overall = 0.0;
        for (var i = 0; i < n; i++)
        {
            overall += labels[i];
        }

        overall /= n;
        var result = new ScoreGroup[groups];
        var start = 0;
        for (var g = 0; g < groups; g++)
        {
            var size = (n / groups) + (g < n % groups ? 1 : 0);
            double sumP = 0, sumY = 0;
            for (var k = start; k < start + size; k++)
            {
                sumP += p[order[k]];
                sumY += labels[order[k]];
            }

            var rate = sumY / size;
            result[g] = new ScoreGroup(g + 1, size, sumP / size, rate, overall > 0 ? rate / overall : 0);
            start += size;
        }

        return result;
    }

    /// <summary>1-based mid-ranks of the scores of rows whose label is <paramref name="only"/> (all rows when null).</summary>
    private static double[] MidRanks(ReadOnlySpan<double> scores, float? only, ReadOnlySpan<float> labels, out int[] index)
    {
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (only is null || labels[i] == only)
            {
                count++;
            }
        }

        index = new int[count];
        var keys = new double[count];
        var k = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (only is null || labels[i] == only)
            {
                index[k] = i;
                keys[k++] = scores[i];
            }
        }

        // Sort positions by score; ranks are then written back in the original (index) order.
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        Array.Sort(keys.ToArray(), order);
        var ranks = new double[count];
        var start = 0;
        while (start < count)
        {
            var end = start;
            while (end + 1 < count && keys[order[end + 1]] == keys[order[start]])
            {
                end++;
            }

            var mid = ((start + end) / 2.0) + 1;
            for (var j = start; j <= end; j++)
            {
                ranks[order[j]] = mid;
            }

            start = end + 1;
        }

        return ranks;
    }

    private static double Mean(double[] v)
    {
        var s = 0.0;
        foreach (var x in v)
        {
            s += x;
        }

        return s / v.Length;
    }

    private static double SampleVariance(double[] v)
    {
        if (v.Length < 2)
        {
            return 0;
        }

        var m = Mean(v);
        var s = 0.0;
        foreach (var x in v)
        {
            s += (x - m) * (x - m);
        }

        return s / (v.Length - 1);
    }

    private static void CheckLengths(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"{scores.Length} scores for {labels.Length} labels.", nameof(labels));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] is not (0f or 1f))
            {
                throw new ArgumentException($"labels[{i}] is {labels[i]}; binary labels must be 0 or 1.", nameof(labels));
            }
        }
    }
}
