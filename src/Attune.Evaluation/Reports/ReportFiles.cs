using Attune.Evaluation.Metrics;
using Attune.Evaluation.Running;

namespace Attune.Evaluation.Reports;

/// <summary>Writes report.json, report.md and one SVG chart per cut-off (NDCG@K) into a folder.</summary>
public static class ReportFiles
{
    public static IReadOnlyList<string> Write(EvaluationReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        Write(Path.Combine(folder, "report.json"), ReportJson.Serialize(report), written);
        Write(Path.Combine(folder, "report.md"), ReportMarkdown.Write(report), written);
        foreach (var k in report.Ks)
        {
            var metric = MetricNames.At(MetricNames.Ndcg, k);
            Write(Path.Combine(folder, $"ndcg-at-{k}.svg"), ReportSvg.BarChart(report, metric), written);
        }

        return written;
    }

    private static void Write(string path, string text, List<string> written)
    {
        // Write beside and move, so a crash never leaves half a report where a reader expects a whole one.
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
        written.Add(path);
    }
}
