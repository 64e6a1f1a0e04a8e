using System.Text.Json;

namespace Attune.Core;

/// <summary>One thing a user did: viewed, clicked, bought, rated, searched...</summary>
/// <param name="Id">Optional idempotency key: an event with a known id is not stored twice.</param>
/// <param name="ItemId">Optional: a search or a page view may name no item.</param>
/// <param name="Type">A built-in type from <see cref="EventTypes"/> or a custom one.</param>
/// <param name="Value">Rating, price, quantity or dwell seconds, depending on the type.</param>
public sealed record Event(
    string? Id,
    string UserId,
    string? ItemId,
    string Type,
    double? Value,
    DateTimeOffset Timestamp,
    string? SessionId = null,
    EventContext? Context = null,
    IReadOnlyDictionary<string, JsonElement>? Properties = null);

/// <summary>Where the event happened.</summary>
/// <param name="RecommendationId">The recommendation list the event responds to.</param>
/// <param name="DecisionId">The campaign decision (<c>POST /v1/decide</c>) the event responds to; rewards the chosen variant.</param>
public sealed record EventContext(
    string? Channel = null,
    string? Device = null,
    string? Page = null,
    string? Campaign = null,
    string? RecommendationId = null,
    string? DecisionId = null);

/// <summary>The channels an event may come from.</summary>
public static class Channels
{
    public static IReadOnlySet<string> All { get; } =
        new HashSet<string>(StringComparer.Ordinal) { "web", "app", "email", "push", "store" };
}
