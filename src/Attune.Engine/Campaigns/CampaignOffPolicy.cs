using System.Globalization;
using Attune.Algorithms.Bandits;
using Attune.Experiments.OffPolicy;

namespace Attune.Engine.Campaigns;

/// <summary>Why a campaign's logged decisions could not be evaluated.</summary>
public sealed class CampaignOpeException(string message, bool notFound = false) : Exception(message)
{
    /// <summary>The campaign does not exist (as opposed to: it has no usable logged decisions).</summary>
    public bool NotFound { get; } = notFound;
}

/// <summary>An off-policy estimate of a candidate policy for a campaign, from the campaign's own decisions log.</summary>
/// <param name="Target">The candidate policy as given.</param>
/// <param name="Variants">The campaign's variant ids, in action order.</param>
/// <param name="Decisions">Logged decisions used.</param>
/// <param name="Rewarded">Of those, decisions with a credited goal event.</param>
/// <param name="Skipped">Decisions of the campaign in the window left out because they were made with other variants (the campaign changed since).</param>
/// <param name="Open">Decisions still inside the attribution window: a goal event may still reward them, so their reward of 0 is provisional.</param>
/// <param name="ContextUsed">Whether the reward model and target used the logged contexts (false when the policy's context changed within the window).</param>
public sealed record CampaignOpeReport(
    string CampaignId,
    string Target,
    IReadOnlyList<string> Variants,
    DateTimeOffset From,
    DateTimeOffset To,
    int Decisions,
    int Rewarded,
    int Skipped,
    int Open,
    bool ContextUsed,
    OpeReport Report);

/// <summary>
/// Off-policy evaluation over the server's own decisions log: each decision of the campaign in [from, to) becomes a
/// logged decision (context, variant, the propensity the policy had for it) with reward 1 when a goal event was
/// credited to it (a reward record in the log) and 0 otherwise, and <see cref="OffPolicyEvaluator"/> estimates the
/// candidate policy's reward rate from them (IPS, SNIPS, DM, DR with intervals).
/// </summary>
/// <remarks>
/// Targets: <c>greedy</c> (the reward model's best variant), <c>uniform</c>, <c>variant:ID</c> (always that variant),
/// or a bandit spec such as <c>fixed:weights=0,1,0</c> evaluated in its initial state. Decisions of a campaign whose
/// variants changed since are skipped (their actions no longer mean the same). Decisions younger than the
/// attribution window count as unrewarded so far; pass <c>to</c> = now - window to use settled decisions only.
/// O(log entries since <c>from</c>) to read, O(decisions x variants x d^2) to fit and evaluate.
/// </remarks>
public static class CampaignOffPolicy
{
    /// <exception cref="CampaignOpeException">No decision of the campaign in the window could be used.</exception>
    /// <exception cref="FormatException">The target is not a policy.</exception>
    public static CampaignOpeReport Evaluate(
        CompiledCampaign campaign,
        string logDirectory,
        string target,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset now,
        TimeSpan attributionWindow,
        double alpha = 0.05,
        double lambda = 1)
    {
        var variants = campaign.Variants.Select(v => v.Id).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var v = 0; v < variants.Count; v++)
        {
            index[variants[v]] = v;
        }

        CheckTarget(target, variants);
        var decisions = new List<DecisionRecord>();
        var rewards = new Dictionary<string, double>(StringComparer.Ordinal);
        var skipped = 0;
        foreach (var entry in DecisionLog.Read(logDirectory, from))
        {
            switch (entry)
            {
                case DecisionRecord d when d.CampaignId == campaign.Id && d.At < to:
                    if (d.Arms == variants.Count && index.TryGetValue(d.VariantId, out var arm) && arm == d.VariantIndex)
                    {
                        decisions.Add(d);
                    }
                    else
                    {
                        skipped++;
                    }

                    break;
                case RewardRecord r:
                    rewards[r.DecisionId] = Math.Max(rewards.GetValueOrDefault(r.DecisionId), r.Reward);
                    break;
            }
        }

        if (decisions.Count == 0)
        {
            throw new CampaignOpeException(skipped > 0
                ? $"Campaign '{campaign.Id}' has {skipped} logged decisions between {from:O} and {to:O}, all made with other variants than it has now; nothing to evaluate."
                : $"Campaign '{campaign.Id}' has no logged decisions between {from:O} and {to:O}.");
        }

        var dimension = decisions[0].Context.Count;
        var sameContext = decisions.TrueForAll(d => d.Context.Count == dimension);
        if (!sameContext)
        {
            dimension = 0;
        }

        var logs = new List<LoggedDecision>(decisions.Count);
        int rewarded = 0, open = 0;
        foreach (var d in decisions)
        {
            var reward = rewards.GetValueOrDefault(d.Id);
            rewarded += reward > 0 ? 1 : 0;
            open += reward <= 0 && now - d.At < attributionWindow ? 1 : 0;
            logs.Add(new LoggedDecision(sameContext ? [.. d.Context] : [], d.VariantIndex, d.Propensity, reward));
        }

        OffPolicyEvaluator.Validate(logs, variants.Count);
        var model = RidgeRewardModel.Fit(logs, variants.Count, dimension, lambda);
        var report = OffPolicyEvaluator.Evaluate(logs, variants.Count, Target(target, variants, dimension, model), model, alpha);
        return new CampaignOpeReport(campaign.Id, target, variants, from, to, logs.Count, rewarded, skipped, open, sameContext, report);
    }

    // Refuses a bad target before the log is read, so the error names the target rather than the data.
    private static void CheckTarget(string target, List<string> variants)
    {
        var text = target.Trim();
        if (text.StartsWith("variant:", StringComparison.OrdinalIgnoreCase))
        {
            var id = text["variant:".Length..].Trim();
            if (!variants.Contains(id))
            {
                throw new FormatException($"Target '{target}': the campaign has no variant '{id}'; its variants are {string.Join(", ", variants)}.");
            }

            return;
        }

        if (text.Equals("greedy", StringComparison.OrdinalIgnoreCase) || text.Equals("uniform", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var name = BanditSpec.Parse(text).Name;
        if (!BanditPolicies.IsContextual(name))
        {
            try
            {
                BanditPolicies.Create(text, variants.Count);
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"Target '{target}': {ex.Message}", ex);
            }
        }
        else if (!BanditPolicies.Names.Contains(name))
        {
            throw new FormatException($"Target '{target}' is not a policy; use greedy, uniform, variant:ID or one of {string.Join(", ", BanditPolicies.Names)}.");
        }
    }

    private static TargetPolicy Target(string target, List<string> variants, int dimension, IRewardModel model)
    {
        var text = target.Trim();
        if (text.StartsWith("variant:", StringComparison.OrdinalIgnoreCase))
        {
            var id = text["variant:".Length..].Trim();
            var arm = variants.IndexOf(id);
            if (arm < 0)
            {
                throw new FormatException($"Target '{target}': the campaign has no variant '{id}'; its variants are {string.Join(", ", variants)}.");
            }

            return (_, _, p) =>
            {
                p.Clear();
                p[arm] = 1;
            };
        }

        try
        {
            return TargetPolicies.Create(text, variants.Count, dimension, model);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Target '{target}': {ex.Message}"), ex);
        }
    }
}
