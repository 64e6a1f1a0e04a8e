using System.Text.Json;
using System.Text.Json.Serialization;
using Attune.Engine.Models;

namespace Attune.Server.Endpoints;

/// <summary>One stored model version as the API shows it.</summary>
/// <param name="Info">What the registry recorded; null when the manifest could not be read (see <paramref name="Problem"/>).</param>
/// <param name="Components">The component names, e.g. main, item-knn, sequence, content, popularity, trending.</param>
/// <param name="Decision">The promotion guard's decision when the version was trained.</param>
/// <param name="Problem">Why the version cannot be used, when it cannot.</param>
public sealed record ModelVersionDocument(
    string Version,
    bool Active,
    ModelVersionInfo? Info,
    int? Users,
    int? Items,
    IReadOnlyList<string> Components,
    PromotionDecision? Decision,
    string? Problem);

/// <summary>The answer to <c>GET /v1/models</c>.</summary>
/// <param name="Active">The version answering requests; null before the first model.</param>
/// <param name="Versions">Stored versions, newest first.</param>
/// <param name="Trainings">Recent training runs of this process, newest first.</param>
/// <param name="History">Training outcomes, promotion decisions with both scores, activations and deletions, newest first.</param>
/// <param name="EventsSinceTraining">New events since the last run started (the retrain trigger's count).</param>
public sealed record ModelListDocument(
    string? Active,
    IReadOnlyList<ModelVersionDocument> Versions,
    IReadOnlyList<TrainingRunInfo> Trainings,
    IReadOnlyList<ModelHistoryEntry> History,
    long EventsSinceTraining);

/// <summary>The optional body of <c>POST /v1/models/train</c>.</summary>
/// <param name="Algorithm">The main algorithm spec to train instead of the configured one, e.g. <c>als:factors=32</c>.</param>
public sealed record TrainRequestDocument(string? Algorithm);

/// <summary>The answer to <c>POST /v1/models/train</c> (202).</summary>
/// <param name="StatusUrl">Where to follow the run.</param>
public sealed record TrainAcceptedDocument(string Id, string Status, string StatusUrl);

/// <summary>Serializers for the model registry endpoints, generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ModelVersionDocument))]
[JsonSerializable(typeof(ModelListDocument))]
[JsonSerializable(typeof(TrainRequestDocument))]
[JsonSerializable(typeof(TrainAcceptedDocument))]
[JsonSerializable(typeof(TrainingRunInfo))]
[JsonSerializable(typeof(IReadOnlyList<TrainingRunInfo>))]
internal sealed partial class ModelsJsonContext : JsonSerializerContext;
