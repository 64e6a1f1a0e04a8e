using System.Globalization;
using System.Text;
using Attune.Evaluation.Metrics;
using Attune.Evaluation.Running;

namespace Attune.Evaluation.Reports;

/// <summary>The report as Markdown tables: one row per model, then the per-activity-group breakdown.</summary>
public static class ReportMarkdown
{
    public static string Write(EvaluationReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Offline evaluation: {r.Dataset}, {r.Protocol}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Users:N0} users, {r.Items:N0} items, {r.TrainInteractions:N0} training rows, {r.TestInteractions:N0} test items over {r.EvaluatedUsers:N0} evaluated users. Full ranking over all items, training items excluded, ties by item index.");
        sb.AppendLine();
        var columns = Columns(r.Ks);
        sb.Append("| model | options | fit s | recommend s | peak MB |");
        foreach (var c in columns)
        {
            sb.Append(' ').Append(c).Append(" |");
        }

        sb.AppendLine();
        sb.Append("| --- | --- | ---: | ---: | ---: |");
        sb.AppendLine(string.Concat(Enumerable.Repeat(" ---: |", columns.Count)));
        foreach (var m in r.Models)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {m.Name} | {Escape(m.Options)} | {m.FitSeconds:F2} | {m.RecommendSeconds:F2} | {m.PeakWorkingSetBytes / 1048576.0:F0} |");
            foreach (var c in columns)
            {
                sb.Append(' ').Append(Format(m.Metrics.Metrics, c)).Append(" |");
            }

            sb.AppendLine();
        }

        var k = r.Ks[0];
        if (r.Models.Any(m => m.Metrics.Groups.Count > 0))
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"## By user activity (quartiles of distinct training items), NDCG@{k} / Recall@{k}");
            sb.AppendLine();
            var groups = r.Models.First(m => m.Metrics.Groups.Count > 0).Metrics.Groups;
            sb.Append("| model |");
            foreach (var g in groups)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {g.Name} ({g.MinTrainingItems}-{g.MaxTrainingItems} items, {g.Users} users) |");
            }

            sb.AppendLine();
            sb.Append("| --- |").AppendLine(string.Concat(Enumerable.Repeat(" ---: |", groups.Count)));
            foreach (var m in r.Models)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {m.Name} |");
                foreach (var g in m.Metrics.Groups)
                {
                    sb.Append(' ').Append(Format(g.Metrics, MetricNames.At(MetricNames.Ndcg, k))).Append(" / ").Append(Format(g.Metrics, MetricNames.At(MetricNames.Recall, k))).Append(" |");
                }

                sb.AppendLine();
            }
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Machine: {r.Machine}. Created {r.Created:u}.");
        return sb.ToString();
    }

    /// <summary>The metric keys shown as columns, in report order.</summary>
    public static List<string> Columns(IReadOnlyList<int> ks)
    {
        var columns = new List<string>();
        foreach (var k in ks)
        {
            foreach (var m in MetricNames.Accuracy)
            {
                columns.Add(MetricNames.At(m, k));
            }
        }

        foreach (var m in MetricNames.ListLevel)
        {
            columns.Add(MetricNames.At(m, ks[0]));
        }

        return columns;
    }

    public static string Format(IReadOnlyDictionary<string, double> metrics, string key) =>
        metrics.TryGetValue(key, out var v)
            ? key.StartsWith(MetricNames.Popularity, StringComparison.Ordinal) ? v.ToString("F1", CultureInfo.InvariantCulture) : v.ToString("F4", CultureInfo.InvariantCulture)
            : "-";

    private static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
}
