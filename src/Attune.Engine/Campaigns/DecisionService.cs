using System.Collections.Concurrent;
using Attune.Core;
using Attune.Engine.Options;

namespace Attune.Engine.Campaigns;

/// <summary>
/// Decides what each placement shows a user: among the live campaigns for the placement, highest priority first,
/// the first whose audience holds the user and whose attention budget (marketing consent, frequency caps, campaign
/// cap, fatigue) allows it; its policy chooses a variant with a known probability, the variant's template is
/// rendered, and the decision is counted against the budget and logged. Goal events carrying the decision id
/// (<see cref="Reward"/>) update the policy online. This is the code path of <c>POST /v1/decide</c>; simulations
/// call <see cref="DecideAsync"/> directly. Thread-safe.
/// </summary>
/// <remarks>
/// Cost per placement: O(c) campaigns for the placement (audience expressions are compiled delegates), one policy
/// choice (O(arms x d^2) for LinUCB with d = <see cref="DecisionFeatures.Dimension"/>, O(arms x samples) for
/// Thompson sampling), and one template render (bounded by the template's size).
/// </remarks>
public sealed class DecisionService
{
    private readonly CampaignRepository _campaigns;
    private readonly CampaignPolicies _policies;
    private readonly AttentionLedger _ledger;
    private readonly DecisionLog _log;
    private readonly IDecisionSubjects _subjects;
    private readonly IRecommendationBlocks _blocks;
    private readonly CampaignOptions _options;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, PendingDecision> _pending = new(StringComparer.Ordinal);

    public DecisionService(
        CampaignRepository campaigns,
        CampaignPolicies policies,
        DecisionLog log,
        IDecisionSubjects subjects,
        IRecommendationBlocks? blocks,
        CampaignOptions options,
        TimeProvider? clock = null)
    {
        _campaigns = campaigns;
        _policies = policies;
        _log = log;
        _subjects = subjects;
        _blocks = blocks ?? NoRecommendationBlocks.Instance;
        _options = options;
        _clock = clock ?? TimeProvider.System;
        _ledger = new AttentionLedger(options);
        _campaigns.Changed += _policies.Retain;
    }

    public CampaignRepository Campaigns => _campaigns;

    public CampaignPolicies Policies => _policies;

    public DecisionLog Log => _log;

    /// <summary>
    /// The generator policies draw from: <see cref="Random.Shared"/> (thread-safe) unless a single-threaded caller
    /// such as a simulation sets a seeded one to make its runs repeatable.
    /// </summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Decisions awaiting their reward (within the attribution window).</summary>
    public int PendingCount => _pending.Count;

    /// <summary>One decision per placement, in request order.</summary>
    public async ValueTask<IReadOnlyList<Decision>> DecideAsync(DecisionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subject = await _subjects.ResolveAsync(request.UserId, cancellationToken);
        return Decide(request, subject);
    }

    /// <summary>One decision per placement for an already resolved <paramref name="subject"/>.</summary>
    public IReadOnlyList<Decision> Decide(DecisionRequest request, DecisionSubject subject)
    {
        var snapshot = _campaigns.Current;
        var now = _clock.GetUtcNow();
        var decisions = new Decision[request.Placements.Count];
        double[]? features = null;
        for (var i = 0; i < decisions.Length; i++)
        {
            decisions[i] = DecideOne(request, subject, request.Placements[i], snapshot, now, ref features);
        }

        return decisions;
    }

    private Decision DecideOne(DecisionRequest request, DecisionSubject subject, string placement, CampaignSnapshot snapshot, DateTimeOffset now, ref double[]? features)
    {
        (string Reason, string Detail, string? Campaign)? first = null;
        var live = false;
        foreach (var campaign in snapshot.ForPlacement(placement))
        {
            if (!campaign.IsLive(now))
            {
                continue;
            }

            live = true;
            var refusal = Refuse(campaign, subject, now);
            if (refusal is { } r)
            {
                first ??= (r.Reason, r.Detail, campaign.Id);
                continue;
            }

            return Show(request, subject, placement, campaign, now, ref features);
        }

        if (first is { } why)
        {
            return Decision.Nothing(placement, why.Reason, why.Detail, why.Campaign);
        }

        return Decision.Nothing(placement, NoContentReasons.NoCampaign, live
            ? $"no campaign for placement '{placement}' applies"
            : $"no live campaign for placement '{placement}'");
    }

    private (string Reason, string Detail)? Refuse(CompiledCampaign campaign, DecisionSubject subject, DateTimeOffset now)
    {
        if (campaign.Channel is "email" or "push" && !subject.MarketingConsent)
        {
            return (NoContentReasons.NoMarketingConsent, $"{campaign.Channel} campaigns need the user's marketing consent");
        }

        if (campaign.Audience is { } audience && !audience.Matches(subject.AudienceProfile(now)))
        {
            return (NoContentReasons.NotInAudience, $"the user is outside the audience of '{campaign.Id}': {audience.Text}");
        }

        return _ledger.Check(subject.UserId, campaign, now);
    }

    private Decision Show(DecisionRequest request, DecisionSubject subject, string placement, CompiledCampaign campaign, DateTimeOffset now, ref double[]? features)
    {
        var policy = _policies.For(campaign);
        double[] context;
        if (campaign.ContextDimension > 0)
        {
            if (features is null)
            {
                features = new double[DecisionFeatures.Dimension];
                DecisionFeatures.Write(subject.Profile, request.Device, features);
            }

            context = features;
        }
        else
        {
            context = [];
        }

        var arm = policy.Policy.Choose(context, Random, out var propensity);
        policy.Chosen(arm);
        var variant = campaign.Variants[arm];
        var output = variant.Template.Render(new DecisionTemplateData(subject, request, campaign, variant, _blocks));
        var id = Guid.CreateVersion7(now).ToString("N");
        _ledger.Record(subject.UserId, campaign.Id, campaign.Channel, now);
        _pending[id] = new PendingDecision(campaign.Id, policy.Key, arm, context, subject.UserId, campaign.Channel, now);
        _log.Append(new DecisionRecord(id, now, subject.UserId, campaign.Id, placement, campaign.Channel, variant.Id, arm,
            campaign.Variants.Count, propensity, campaign.PolicySpec, context));
        return new Decision(placement, id, campaign.Id, variant.Id, propensity, output.Text, output.Truncated, output.RecommendedItems, null, null);
    }

    /// <summary>
    /// Credits a stored event that carries a decision id: when it is the campaign's goal, from the same user, within
    /// the attribution window, and the first such event for the decision, the policy learns reward 1. Returns
    /// whether the event was credited.
    /// </summary>
    public bool Reward(Event e)
    {
        if (e.Context?.DecisionId is not { } id || !_pending.TryGetValue(id, out var pending))
        {
            return false;
        }

        if (!string.Equals(e.UserId, pending.UserId, StringComparison.Ordinal)
            || _campaigns.Current.Get(pending.CampaignId) is not { } campaign
            || !string.Equals(e.Type, campaign.Goal, StringComparison.Ordinal)
            || e.Timestamp < pending.At - TimeSpan.FromMinutes(5)
            || e.Timestamp > pending.At + _options.AttributionWindow
            || !_pending.TryRemove(id, out _))
        {
            return false;
        }

        var policy = _policies.For(campaign);
        if (policy.Key != pending.PolicyKey)
        {
            // The campaign's variants or policy changed since the decision: the reward belongs to a policy that is gone.
            return false;
        }

        policy.Learn(pending.Arm, pending.Context, 1.0);
        _ledger.Responded(pending.UserId, pending.Channel);
        _log.Append(new RewardRecord(id, e.Timestamp, e.Type, 1.0));
        return true;
    }

    /// <summary>
    /// Erasure: forgets the user's attention budget and their decisions awaiting a reward, and removes their decisions
    /// and those decisions' rewards from the decisions log. The policies keep what they learned: their statistics
    /// are sums over many users' context vectors and hold no user id. Returns the number of log lines removed.
    /// </summary>
    public async Task<int> EraseUserAsync(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        _ledger.Forget(userId);
        foreach (var (id, pending) in _pending)
        {
            if (string.Equals(pending.UserId, userId, StringComparison.Ordinal))
            {
                _pending.TryRemove(id, out _);
            }
        }

        return await _log.EraseUserAsync(userId);
    }

    /// <summary>Rebuilds the attention budget and the decisions awaiting rewards from the decisions log (call once at start).</summary>
    public int Restore()
    {
        var now = _clock.GetUtcNow();
        var horizon = _options.FatigueCooldown;
        foreach (var cap in _options.FrequencyCaps)
        {
            horizon = cap.Period > horizon ? cap.Period : horizon;
        }

        horizon = horizon > _options.AttributionWindow ? horizon : _options.AttributionWindow;
        var count = 0;
        foreach (var entry in DecisionLog.Read(_log.DirectoryPath, now - horizon))
        {
            switch (entry)
            {
                case DecisionRecord d:
                    _ledger.Record(d.UserId, d.CampaignId, d.Channel, d.At);
                    if (now - d.At <= _options.AttributionWindow && _campaigns.Current.Get(d.CampaignId) is { } campaign)
                    {
                        var key = _policies.For(campaign).Key;
                        _pending[d.Id] = new PendingDecision(d.CampaignId, key, d.VariantIndex, [.. d.Context], d.UserId, d.Channel, d.At);
                    }

                    count++;
                    break;
                case RewardRecord r:
                    if (_pending.TryRemove(r.DecisionId, out var p))
                    {
                        _ledger.Responded(p.UserId, p.Channel);
                    }

                    break;
            }
        }

        return count;
    }

    /// <summary>Settles expired decisions (<see cref="SettleExpired"/>) and saves changed policies (call periodically and at stop).</summary>
    public int Maintain()
    {
        SettleExpired();
        _ledger.Prune(_clock.GetUtcNow());
        return _policies.SaveChanged();
    }

    /// <summary>
    /// Decisions whose attribution window passed without their goal event earn reward 0: the policy learns it and the
    /// decision is forgotten. Without this a policy would only ever see successes. Returns how many were settled.
    /// O(pending decisions).
    /// </summary>
    public int SettleExpired()
    {
        var now = _clock.GetUtcNow();
        var settled = 0;
        foreach (var (id, pending) in _pending)
        {
            if (now - pending.At <= _options.AttributionWindow || !_pending.TryRemove(id, out _))
            {
                continue;
            }

            if (_campaigns.Current.Get(pending.CampaignId) is { } campaign && _policies.Find(campaign) is { } policy && policy.Key == pending.PolicyKey)
            {
                policy.Learn(pending.Arm, pending.Context, 0.0);
                settled++;
            }
        }

        return settled;
    }

    private sealed record PendingDecision(string CampaignId, string PolicyKey, int Arm, double[] Context, string UserId, string Channel, DateTimeOffset At);
}
