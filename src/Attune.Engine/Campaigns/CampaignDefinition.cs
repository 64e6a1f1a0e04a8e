using System.Text.Json;
using System.Text.Json.Serialization;

namespace Attune.Engine.Campaigns;

/// <summary>
/// A campaign as written by its author (API body, CLI file, persisted form). Every member is nullable so a missing
/// field is reported by <see cref="CampaignCompiler"/> with its name instead of failing deserialization.
/// </summary>
/// <param name="Id">Unique id (1-128 characters, no control characters).</param>
/// <param name="Placement">Where it shows: <c>home_banner</c>, <c>email_subject</c>, <c>push</c>, <c>checkout_offer</c>, any name.</param>
/// <param name="Channel">web, app, email, push or store; caps are counted per channel.</param>
/// <param name="Audience">A segment expression over profiles (docs/expressions.md); everyone when absent.</param>
/// <param name="AttributeTypes">Types of user attributes the audience reads (<c>"age": "number"</c>); undeclared ones are strings.</param>
/// <param name="Goal">The event type that counts as a reward: click, add_to_cart, purchase or a custom type.</param>
/// <param name="Priority">Higher wins when several campaigns are eligible for one placement.</param>
/// <param name="Policy">How a variant is chosen; <c>thompson</c> when absent.</param>
/// <param name="FrequencyCap">At most this many decisions per user for this campaign in the period.</param>
/// <param name="Status">active or paused.</param>
public sealed record CampaignDefinition(
    string? Id,
    string? Name,
    string? Placement,
    string? Channel,
    string? Audience,
    IReadOnlyDictionary<string, string>? AttributeTypes,
    IReadOnlyList<VariantDefinition?>? Variants,
    string? Goal,
    ScheduleDefinition? Schedule,
    int? Priority,
    PolicyDefinition? Policy,
    FrequencyCapDefinition? FrequencyCap,
    string? Status,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? UpdatedAt = null);

/// <param name="Id">Unique within the campaign.</param>
/// <param name="Template">The content: text with personalization tokens (docs/campaigns.md).</param>
/// <param name="Params">Trusted campaign text the template reads as <c>variant.NAME</c> (may be printed <c>raw</c>).</param>
public sealed record VariantDefinition(string? Id, string? Template, IReadOnlyDictionary<string, string>? Params);

/// <summary>When the campaign runs; an absent bound is open.</summary>
public sealed record ScheduleDefinition(DateTimeOffset? Start, DateTimeOffset? End);

/// <param name="Name">fixed, epsilon-greedy, thompson, linucb, linear-thompson or softmax.</param>
/// <param name="Options">Hyper-parameters, e.g. <c>{"alpha": 1}</c> or <c>{"weights": [50, 50]}</c>.</param>
public sealed record PolicyDefinition(string? Name, IReadOnlyDictionary<string, JsonElement>? Options);

/// <param name="Max">Most decisions per user in <paramref name="Period"/>.</param>
/// <param name="Period">A duration such as <c>1.00:00:00</c> (one day).</param>
public sealed record FrequencyCapDefinition(int? Max, TimeSpan? Period);

/// <summary>The persisted file: every campaign, in id order.</summary>
public sealed record CampaignFile(int Version, IReadOnlyList<CampaignDefinition> Campaigns);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CampaignDefinition))]
[JsonSerializable(typeof(CampaignFile))]
[JsonSerializable(typeof(List<CampaignDefinition>))]
public sealed partial class CampaignJsonContext : JsonSerializerContext;
