using System.Text.Json;
using System.Text.Json.Serialization;
using Attune.Evaluation.Running;

namespace Attune.Evaluation.Reports;

/// <summary>The report as JSON: the same document for <c>--json</c> on stdout and <c>report.json</c>.</summary>
public static class ReportJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize(EvaluationReport report) => JsonSerializer.Serialize(ToDocument(report), Options);

    private static object ToDocument(EvaluationReport r) => new
    {
        r.Dataset,
        r.Protocol,
        r.Users,
        r.Items,
        r.TrainInteractions,
        r.TestInteractions,
        r.EvaluatedUsers,
        K = r.Ks,
        r.Created,
        r.Machine,
        Models = r.Models.Select(m => new
        {
            m.Name,
            m.Algorithm,
            m.Options,
            FitSeconds = Math.Round(m.FitSeconds, 4),
            RecommendSeconds = Math.Round(m.RecommendSeconds, 4),
            PeakMemoryMB = Math.Round(m.PeakWorkingSetBytes / 1048576.0, 1),
            AllocatedMB = Math.Round(m.AllocatedBytes / 1048576.0, 1),
            m.UnknownUsers,
            m.Metrics.Users,
            m.Metrics.Metrics,
            Groups = m.Metrics.Groups.Select(g => new { g.Name, g.Users, g.MinTrainingItems, g.MaxTrainingItems, g.Metrics }),
        }),
    };
}
