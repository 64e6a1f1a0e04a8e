using System.Globalization;
using Attune.Evaluation.Metrics;
using Attune.Evaluation.Reports;
using Attune.Evaluation.Running;
using Spectre.Console;

namespace Attune.Cli.Evaluation;

/// <summary>The evaluation report as console tables.</summary>
internal static class ReportConsole
{
    public static void Write(IAnsiConsole console, EvaluationReport r)
    {
        console.MarkupLine(Markup.Escape(string.Create(
            CultureInfo.InvariantCulture,
            $"{r.Dataset}, {r.Protocol}: {r.Users:N0} users, {r.Items:N0} items, {r.TrainInteractions:N0} training rows, {r.TestInteractions:N0} test items, {r.EvaluatedUsers:N0} users evaluated")));
        // Metrics as rows and models as columns: a dozen metrics fit a terminal's height far better than its width.
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("metric");
        foreach (var m in r.Models)
        {
            table.AddColumn(new TableColumn(Markup.Escape(m.Name)).RightAligned());
        }

        table.AddRow(["fit s", .. r.Models.Select(m => m.FitSeconds.ToString("F2", CultureInfo.InvariantCulture))]);
        table.AddRow(["recommend s", .. r.Models.Select(m => m.RecommendSeconds.ToString("F2", CultureInfo.InvariantCulture))]);
        table.AddRow(["peak MB", .. r.Models.Select(m => (m.PeakWorkingSetBytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture))]);
        foreach (var c in ReportMarkdown.Columns(r.Ks))
        {
            table.AddRow([c, .. r.Models.Select(m => ReportMarkdown.Format(m.Metrics.Metrics, c))]);
        }

        console.Write(table);
        WriteGroups(console, r);
        foreach (var m in r.Models)
        {
            console.MarkupLine(Markup.Escape($"{m.Name}: {m.Options}" + (m.UnknownUsers > 0 ? $" ({m.UnknownUsers} users could not be scored)" : string.Empty)));
        }
    }

    private static void WriteGroups(IAnsiConsole console, EvaluationReport r)
    {
        var first = r.Models.FirstOrDefault(m => m.Metrics.Groups.Count > 0);
        if (first is null)
        {
            return;
        }

        var key = MetricNames.At(MetricNames.Ndcg, r.Ks[0]);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{key} by user activity (quartiles of training items)"));
        table.AddColumn("model");
        foreach (var g in first.Metrics.Groups)
        {
            table.AddColumn(new TableColumn(Markup.Escape($"{g.Name} ({g.MinTrainingItems}-{g.MaxTrainingItems})")).RightAligned());
        }

        foreach (var m in r.Models)
        {
            table.AddRow([Markup.Escape(m.Name), .. m.Metrics.Groups.Select(g => ReportMarkdown.Format(g.Metrics, key))]);
        }

        console.Write(table);
    }
}
