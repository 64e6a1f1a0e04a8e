using System.Text.Json;
using System.Text.Json.Serialization;
using Attune.Engine.Campaigns;

namespace Attune.Server.Endpoints;

/// <summary>The body of <c>POST /v1/decide</c>.</summary>
/// <param name="Placements">The placements to fill, e.g. <c>["home_banner", "push"]</c>.</param>
/// <param name="Context">Request values: <c>channel</c>, <c>device</c>, <c>page</c> or any other (strings, numbers, booleans).</param>
public sealed record DecideRequestDocument(string? UserId, IReadOnlyList<string?>? Placements, IReadOnlyDictionary<string, JsonElement>? Context);

/// <summary>The answer of <c>POST /v1/decide</c>: one decision per placement, in request order.</summary>
public sealed record DecideResponseDocument(string UserId, IReadOnlyList<Decision> Decisions);

/// <summary>A campaign with how each variant has done so far.</summary>
public sealed record CampaignDetailDocument(CampaignDefinition Campaign, CampaignStatsDocument Stats);

/// <param name="Policy">The policy spec with every hyper-parameter.</param>
public sealed record CampaignStatsDocument(string Policy, bool Contextual, IReadOnlyList<VariantStatsDocument> Variants);

/// <param name="Rewards">Goal events attributed to decisions of this variant.</param>
public sealed record VariantStatsDocument(string Id, long Decisions, double Rewards, double? RewardRate);

/// <summary>One page of <c>GET /v1/campaigns</c>: every campaign (there are few), in id order.</summary>
public sealed record CampaignListDocument(IReadOnlyList<CampaignDefinition> Campaigns);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DecideRequestDocument))]
[JsonSerializable(typeof(DecideResponseDocument))]
[JsonSerializable(typeof(CampaignDefinition))]
[JsonSerializable(typeof(CampaignDetailDocument))]
[JsonSerializable(typeof(CampaignListDocument))]
internal sealed partial class CampaignApiJsonContext : JsonSerializerContext;
