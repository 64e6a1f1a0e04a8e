using Attune.Core.Expressions;
using Attune.Engine.Campaigns.Templates;
using Attune.Engine.Profiles;

namespace Attune.Engine.Campaigns;

/// <summary>A validated campaign ready for decisions: audience compiled, templates parsed, policy spec checked.</summary>
public sealed record CompiledCampaign(
    CampaignDefinition Definition,
    string Id,
    string Placement,
    string Channel,
    string Goal,
    int Priority,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    bool Active,
    ExpressionPredicate<UserProfile>? Audience,
    IReadOnlyList<CompiledVariant> Variants,
    string PolicySpec,
    int ContextDimension,
    int? CapMax,
    TimeSpan? CapPeriod)
{
    /// <summary>Whether the schedule covers <paramref name="now"/> and the campaign is not paused.</summary>
    public bool IsLive(DateTimeOffset now) => Active && (Start is null || now >= Start) && (End is null || now < End);
}

public sealed record CompiledVariant(string Id, Template Template, IReadOnlyDictionary<string, string> Params);
