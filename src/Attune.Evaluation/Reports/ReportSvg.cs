using System.Globalization;
using System.Security;
using System.Text;
using Attune.Evaluation.Running;

namespace Attune.Evaluation.Reports;

/// <summary>A horizontal bar chart of one metric per model, as a self-contained SVG file.</summary>
public static class ReportSvg
{
    private const int BarHeight = 22;
    private const int Gap = 8;
    private const int LabelWidth = 260;
    private const int ChartWidth = 420;
    private const int Top = 40;

    public static string BarChart(EvaluationReport report, string metric)
    {
        var models = report.Models;
        var values = models.Select(m => m.Metrics.Metrics.TryGetValue(metric, out var v) ? v : 0).ToArray();
        var max = values.Length == 0 ? 1 : Math.Max(values.Max(), 1e-9);
        var height = Top + (models.Count * (BarHeight + Gap)) + 20;
        var width = LabelWidth + ChartWidth + 80;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"13\">");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  <title>{Xml(metric)} per model: {Xml(report.Dataset)}, {Xml(report.Protocol)}</title>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  <text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{Xml(metric.ToUpperInvariant())}: {Xml(report.Dataset)}, {Xml(report.Protocol)}</text>");
        for (var i = 0; i < models.Count; i++)
        {
            var y = Top + (i * (BarHeight + Gap));
            var w = values[i] / max * ChartWidth;
            sb.AppendLine(CultureInfo.InvariantCulture, $"  <text x=\"{LabelWidth - 8}\" y=\"{y + 15}\" text-anchor=\"end\">{Xml(Shorten(models[i].Name))}</text>");
            sb.AppendLine(CultureInfo.InvariantCulture, $"  <rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{w:F1}\" height=\"{BarHeight}\" fill=\"#4c78a8\"/>");
            sb.AppendLine(CultureInfo.InvariantCulture, $"  <text x=\"{LabelWidth + w + 6:F1}\" y=\"{y + 15}\">{values[i]:F4}</text>");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"  <line x1=\"{LabelWidth}\" y1=\"{Top - 4}\" x2=\"{LabelWidth}\" y2=\"{height - 16}\" stroke=\"#333\"/>");
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static string Shorten(string s) => s.Length <= 36 ? s : s[..35] + "…";

    private static string Xml(string s) => SecurityElement.Escape(s) ?? string.Empty;
}
