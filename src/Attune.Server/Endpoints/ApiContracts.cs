using System.Text.Json;
using System.Text.Json.Serialization;
using Attune.Engine.Ingestion;
using Attune.Storage;

namespace Attune.Server.Endpoints;

/// <summary>The answer to <c>POST /v1/events</c>: how many were new and how many were already stored.</summary>
public sealed record IngestResponse(int Accepted, int Duplicates);

/// <summary>The answer to <c>POST /v1/items</c>.</summary>
public sealed record UpsertResponse(int Upserted);

public sealed record HealthResponse(string Status);

/// <summary>Serializers generated at build time for the fixed response shapes (no reflection on the request path).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngestResponse))]
[JsonSerializable(typeof(UpsertResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(EventStats))]
[JsonSerializable(typeof(IReadOnlyList<ValidationError>))]
[JsonSerializable(typeof(List<ValidationError>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>The JSON shape of an event (for the OpenAPI document; the server parses bodies itself).</summary>
/// <param name="Timestamp">RFC 3339 with a time zone, or Unix seconds as a number; server time when absent.</param>
public sealed record EventDocument(
    string? Id,
    string UserId,
    string? ItemId,
    string Type,
    double? Value,
    string? Timestamp,
    string? SessionId,
    EventContextDocument? Context,
    IReadOnlyDictionary<string, JsonElement>? Properties);

/// <param name="Channel">web, app, email, push or store.</param>
public sealed record EventContextDocument(string? Channel, string? Device, string? Page, string? Campaign, string? RecommendationId, string? DecisionId);

/// <summary>The JSON shape of a catalog item.</summary>
public sealed record ItemDocument(
    string Id,
    string? Title,
    IReadOnlyList<string>? Categories,
    IReadOnlyList<string>? Tags,
    string? Text,
    double? Price,
    bool? Available,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyDictionary<string, JsonElement>? Properties);

/// <summary>The body of <c>PUT /v1/users/{id}</c>; absent parts keep their stored value.</summary>
public sealed record UserDocument(IReadOnlyDictionary<string, JsonElement>? Attributes, ConsentDocument? Consent);

public sealed record ConsentDocument(bool? Personalization, bool? Marketing);

/// <summary>A stored user as returned by the API, with when each consent choice was stated.</summary>
public sealed record UserResponseDocument(
    string Id,
    IReadOnlyDictionary<string, JsonElement> Attributes,
    ConsentResponseDocument Consent,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

public sealed record ConsentResponseDocument(bool Personalization, DateTimeOffset? PersonalizationAt, bool Marketing, DateTimeOffset? MarketingAt);

/// <summary>One page of <c>GET /v1/items</c>.</summary>
public sealed record ItemPageDocument(IReadOnlyList<ItemDocument> Items, string? NextCursor);

/// <summary>Everything stored about a user (<c>GET /v1/users/{id}/export</c>).</summary>
public sealed record UserExportDocument(UserResponseDocument? User, IReadOnlyList<EventDocument> Events, DateTimeOffset ExportedAt);
