using System.Text.Json;
using System.Text.Json.Serialization;

namespace Attune.Engine.Models;

/// <summary>The <c>manifest.json</c> of a stored model version: what it is and what each of its files must hash to.</summary>
/// <param name="Format">Layout version of the folder; a reader refuses a newer one.</param>
/// <param name="Components">Component name to its file, e.g. <c>main</c> to <c>components/main.atnm</c>.</param>
public sealed record ModelManifest(
    int Format,
    ModelVersionInfo Info,
    int Users,
    int Items,
    IReadOnlyDictionary<string, string> Components,
    IReadOnlyList<ManifestFile> Files);

/// <param name="Path">Relative to the version folder, with forward slashes.</param>
/// <param name="Sha256">Hex SHA-256 of the file's bytes.</param>
public sealed record ManifestFile(string Path, long Bytes, string Sha256);

/// <summary>The <c>active.json</c> pointer: which version answers requests.</summary>
public sealed record ActivePointer(string Version, DateTimeOffset ActivatedAt);

/// <summary>The promotion guard's verdict on a candidate, with both scores.</summary>
/// <param name="Metric">The metric compared, e.g. <c>ndcg@10</c>.</param>
/// <param name="CandidateScore">The candidate's score on the holdout; null when there was nothing to measure.</param>
/// <param name="ActiveScore">The active model's score on the same holdout; null when no model was active.</param>
/// <param name="ActiveVersion">The version the candidate was compared with.</param>
/// <param name="HoldoutUsers">Users with held-out interactions that were measured.</param>
/// <param name="Reason">One sentence saying why.</param>
public sealed record PromotionDecision(
    bool Promoted,
    string Metric,
    double? CandidateScore,
    double? ActiveScore,
    string? ActiveVersion,
    double Tolerance,
    int HoldoutUsers,
    string Reason);

/// <summary>The kinds of <see cref="ModelHistoryEntry"/>.</summary>
public static class ModelHistoryKinds
{
    public const string Trained = "trained";
    public const string Promoted = "promoted";
    public const string Rejected = "rejected";
    public const string Activated = "activated";
    public const string Fallback = "fallback";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    public const string Deleted = "deleted";
}

/// <summary>One line of <c>models/history.jsonl</c>: a training outcome, a promotion decision, an activation.</summary>
/// <param name="Kind">One of <see cref="ModelHistoryKinds"/>.</param>
/// <param name="RunId">The training run, when the entry comes from one.</param>
public sealed record ModelHistoryEntry(
    DateTimeOffset At,
    string Kind,
    string? Version,
    string? RunId,
    string Message,
    PromotionDecision? Decision = null);

/// <summary>Serializers for the registry's files, generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(ActivePointer))]
public sealed partial class ModelFileJsonContext : JsonSerializerContext;

/// <summary>History lines are one JSON object per line, so this context does not indent.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ModelHistoryEntry))]
public sealed partial class ModelHistoryJsonContext : JsonSerializerContext;
