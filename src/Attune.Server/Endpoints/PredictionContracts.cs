using System.Text.Json;
using System.Text.Json.Serialization;
using Attune.Engine.Prediction;
using Attune.Engine.Segments.Discovery;

namespace Attune.Server.Endpoints;

/// <summary>The body of <c>POST /v1/predictions/propensity/pairs</c>: one user and the items to score for them.</summary>
public sealed record PropensityPairsRequest(string? UserId, IReadOnlyList<string>? ItemIds);

/// <summary>The answer to <c>POST /v1/predictions/propensity/pairs</c>.</summary>
public sealed record PropensityPairsResponse(string ModelVersion, IReadOnlyList<UserScore> Scores);

/// <summary>The body of <c>POST /v1/segments/discover</c>.</summary>
/// <param name="MinK">Smallest number of clusters tried (default 2).</param>
/// <param name="MaxK">Largest number of clusters tried (default 8).</param>
/// <param name="Seed">Seeds k-means++ (default 42): the same seed and profiles give the same clusters.</param>
/// <param name="InterestKeys">Interest keys per field added as features (default 5).</param>
/// <param name="SampleMembers">Member ids listed per cluster (default 10).</param>
public sealed record DiscoverSegmentsRequest(int? MinK, int? MaxK, int? Seed, int? InterestKeys, int? SampleMembers);

/// <summary>Serializers for the prediction and discovery endpoints.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(PredictorReport))]
[JsonSerializable(typeof(ScoreRun))]
[JsonSerializable(typeof(PropensityPairsRequest))]
[JsonSerializable(typeof(PropensityPairsResponse))]
[JsonSerializable(typeof(DiscoverSegmentsRequest))]
[JsonSerializable(typeof(SegmentDiscoveryResult))]
internal sealed partial class PredictionApiJsonContext : JsonSerializerContext;
