using System.Text.Json;
using System.Text.Json.Serialization;
using Attune.Core;
using Attune.Engine.Profiles;

namespace Attune.Engine.Campaigns;

/// <summary>One <c>POST /v1/decide</c>: a user, the placements to fill, and the request's context.</summary>
/// <param name="Context">Values of the request (<c>channel</c>, <c>device</c>, <c>page</c>, anything else): templates read them as <c>context.NAME</c>; <c>device</c> feeds contextual policies.</param>
public sealed record DecisionRequest(string UserId, IReadOnlyList<string> Placements, IReadOnlyDictionary<string, JsonElement>? Context = null)
{
    public string? Device => Context is not null && Context.TryGetValue("device", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
}

/// <summary>What one placement shows, or why it shows nothing.</summary>
/// <param name="DecisionId">Report it in events (<c>context.decisionId</c>) so the campaign learns; null when nothing is shown.</param>
/// <param name="Propensity">The probability with which the variant was chosen.</param>
/// <param name="Content">The rendered template.</param>
/// <param name="Truncated">True when the content hit the length limit and was cut.</param>
/// <param name="Items">Item ids shown by recommendation blocks.</param>
/// <param name="Reason">Why nothing is shown (<see cref="NoContentReasons"/>); null when something is.</param>
public sealed record Decision(
    string Placement,
    string? DecisionId,
    string? CampaignId,
    string? VariantId,
    double? Propensity,
    string? Content,
    bool Truncated,
    IReadOnlyList<string> Items,
    string? Reason,
    string? Detail)
{
    [JsonIgnore]
    public bool ShowsSomething => DecisionId is not null;

    public static Decision Nothing(string placement, string reason, string detail, string? campaignId = null) =>
        new(placement, null, campaignId, null, null, null, false, [], reason, detail);
}

/// <summary>The user a decision is for: their profile (null when the engine has none) and their stored record.</summary>
public sealed record DecisionSubject(string UserId, UserProfile? Profile, User? User)
{
    public bool MarketingConsent => Profile?.MarketingConsent ?? User?.Consent.Marketing.Granted ?? false;

    public IReadOnlyDictionary<string, JsonElement> Attributes =>
        Profile?.Attributes ?? User?.Attributes ?? EmptyAttributes;

    private static readonly IReadOnlyDictionary<string, JsonElement> EmptyAttributes = new Dictionary<string, JsonElement>();

    /// <summary>The profile audiences are evaluated on: the real one, or an empty one carrying the stored attributes and consent.</summary>
    public UserProfile AudienceProfile(DateTimeOffset now) =>
        Profile ?? new UserProfile(
            UserId, now, null, null, 0, 0, 0, null, null, null, RfmScores.None, LifecycleStage.New,
            new Dictionary<string, InterestScores>(), new Dictionary<string, PredictedScore>(), Attributes, MarketingConsent, false);
}

/// <summary>Finds the profile and stored record of a user for a decision.</summary>
public interface IDecisionSubjects
{
    ValueTask<DecisionSubject> ResolveAsync(string userId, CancellationToken cancellationToken);
}
