using System.Text.Json.Serialization;
using Attune.Experiments.Assignment;
using Attune.Experiments.Metrics;
using Attune.Experiments.OffPolicy;

namespace Attune.Server.Endpoints;

/// <summary>The user's place in the experimentation engine.</summary>
public sealed record AssignmentsResponse(string UserId, bool Holdout, IReadOnlyList<Assignment> Assignments);

/// <summary>One logged decision in a <c>POST /v1/ope</c> body.</summary>
/// <param name="TargetProbabilities">The candidate policy's probability of every action for this row (instead of a target spec).</param>
public sealed record OpeDecision(double[]? Context, int Action, double Propensity, double Reward, double[]? TargetProbabilities = null);

/// <summary>The body of <c>POST /v1/ope</c>: uploaded decisions (<c>arms</c>, <c>decisions</c>) or a campaign's own decisions log (<c>campaignId</c>).</summary>
/// <param name="Arms">Number of actions (uploaded decisions).</param>
/// <param name="Target">The candidate policy: "greedy", "uniform", a policy spec, or for a campaign "variant:ID"; omit when every uploaded row has targetProbabilities.</param>
/// <param name="Lambda">Ridge penalty of the per-action reward model.</param>
/// <param name="CampaignId">Evaluate over this campaign's logged decisions and credited rewards instead of uploaded ones.</param>
/// <param name="From">Campaign mode: first decision time considered (default: the log's retention).</param>
/// <param name="To">Campaign mode: decisions before this time (default: now).</param>
public sealed record OpeRequest(
    int Arms,
    IReadOnlyList<OpeDecision> Decisions,
    string? Target = null,
    double Alpha = 0.05,
    double Lambda = 1,
    string? CampaignId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);

[JsonSourceGenerationOptions(
    System.Text.Json.JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ExperimentDefinition))]
[JsonSerializable(typeof(IReadOnlyList<ExperimentDefinition>))]
[JsonSerializable(typeof(ExperimentResults))]
[JsonSerializable(typeof(AssignmentsResponse))]
[JsonSerializable(typeof(OpeRequest))]
[JsonSerializable(typeof(OpeReport))]
[JsonSerializable(typeof(Attune.Engine.Campaigns.CampaignOpeReport))]
internal sealed partial class ExperimentApiJsonContext : JsonSerializerContext;
