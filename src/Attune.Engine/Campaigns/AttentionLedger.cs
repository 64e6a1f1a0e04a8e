using System.Collections.Concurrent;
using Attune.Engine.Options;

namespace Attune.Engine.Campaigns;

/// <summary>Why a placement got no content.</summary>
public static class NoContentReasons
{
    public const string NoCampaign = "no_campaign";
    public const string NotInAudience = "not_in_audience";
    public const string NoMarketingConsent = "no_marketing_consent";
    public const string FrequencyCap = "frequency_cap";
    public const string CampaignCap = "campaign_cap";
    public const string Fatigue = "fatigue";
}

/// <summary>
/// Each user's recent decisions, for frequency caps (per channel and across all campaigns) and fatigue (decisions
/// in a row on one channel that earned no reward). In memory, rebuilt from the decisions log at start.
/// </summary>
/// <remarks>
/// A check is O(h) over the user's history h, which is kept to the longest cap period (and at most
/// <see cref="MaxHistory"/> entries); users idle beyond it are dropped by <see cref="Prune"/>.
/// </remarks>
public sealed class AttentionLedger(CampaignOptions options)
{
    public const int MaxHistory = 256;

    private readonly ConcurrentDictionary<string, UserAttention> _users = new(StringComparer.Ordinal);
    private readonly TimeSpan _horizon = Horizon(options);

    public int UserCount => _users.Count;

    /// <summary>Null when <paramref name="campaign"/> may be shown to the user now, else the reason and a readable detail.</summary>
    public (string Reason, string Detail)? Check(string userId, CompiledCampaign campaign, DateTimeOffset now)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            return null;
        }

        lock (user)
        {
            foreach (var cap in options.FrequencyCaps)
            {
                var channel = cap.Channel;
                if (channel != "*" && !string.Equals(channel, campaign.Channel, StringComparison.Ordinal))
                {
                    continue;
                }

                var count = user.Count(now - cap.Period, channel == "*" ? null : channel, null);
                if (count >= cap.Max)
                {
                    var scope = channel == "*" ? "across all channels" : $"on {channel}";
                    return (NoContentReasons.FrequencyCap, $"at most {cap.Max} per {cap.Period} {scope}; {count} already");
                }
            }

            if (campaign.CapMax is { } max && campaign.CapPeriod is { } period)
            {
                var count = user.Count(now - period, null, campaign.Id);
                if (count >= max)
                {
                    return (NoContentReasons.CampaignCap, $"campaign '{campaign.Id}' shows at most {max} per {period}; {count} already");
                }
            }

            if (options.FatigueAfterIgnored > 0
                && user.Ignored(campaign.Channel) is var (ignored, last)
                && ignored >= options.FatigueAfterIgnored
                && now - last < options.FatigueCooldown)
            {
                return (NoContentReasons.Fatigue, $"{ignored} decisions in a row on {campaign.Channel} without a response; resting until {(last + options.FatigueCooldown).ToUniversalTime():O}");
            }
        }

        return null;
    }

    /// <summary>Counts a decision against the user's budget.</summary>
    public void Record(string userId, string campaignId, string channel, DateTimeOffset at)
    {
        var user = _users.GetOrAdd(userId, static _ => new UserAttention());
        lock (user)
        {
            user.Add(new Entry(at, channel, campaignId), at - _horizon);
        }
    }

    /// <summary>A reward on <paramref name="channel"/>: the user responds, so the fatigue count starts over.</summary>
    public void Responded(string userId, string channel)
    {
        if (_users.TryGetValue(userId, out var user))
        {
            lock (user)
            {
                user.ResetIgnored(channel);
            }
        }
    }

    /// <summary>Forgets everything about the user (erasure).</summary>
    public bool Forget(string userId) => _users.TryRemove(userId, out _);

    /// <summary>Drops users whose whole history is older than the longest period that matters.</summary>
    public void Prune(DateTimeOffset now)
    {
        foreach (var (id, user) in _users)
        {
            lock (user)
            {
                if (user.Latest < now - _horizon)
                {
                    _users.TryRemove(id, out _);
                }
            }
        }
    }

    private static TimeSpan Horizon(CampaignOptions options)
    {
        var horizon = options.FatigueCooldown;
        foreach (var cap in options.FrequencyCaps)
        {
            horizon = cap.Period > horizon ? cap.Period : horizon;
        }

        // Campaign caps may be longer; a year bounds them (see CampaignCompiler).
        return horizon < TimeSpan.FromDays(366) ? TimeSpan.FromDays(366) : horizon;
    }

    private readonly record struct Entry(DateTimeOffset At, string Channel, string CampaignId);

    private sealed class UserAttention
    {
        private readonly List<Entry> _entries = [];
        private readonly Dictionary<string, (int Count, DateTimeOffset Last)> _ignored = new(StringComparer.Ordinal);

        public DateTimeOffset Latest { get; private set; }

        public void Add(Entry entry, DateTimeOffset cutoff)
        {
            if (_entries.Count >= MaxHistory || (_entries.Count > 0 && _entries[0].At < cutoff))
            {
                _entries.RemoveAll(e => e.At < cutoff);
                if (_entries.Count >= MaxHistory)
                {
                    _entries.RemoveAt(0);
                }
            }

            _entries.Add(entry);
            Latest = entry.At > Latest ? entry.At : Latest;
            var (count, _) = _ignored.GetValueOrDefault(entry.Channel);
            _ignored[entry.Channel] = (count + 1, entry.At);
        }

        public int Count(DateTimeOffset since, string? channel, string? campaignId)
        {
            var n = 0;
            foreach (var e in _entries)
            {
                if (e.At > since
                    && (channel is null || string.Equals(e.Channel, channel, StringComparison.Ordinal))
                    && (campaignId is null || string.Equals(e.CampaignId, campaignId, StringComparison.Ordinal)))
                {
                    n++;
                }
            }

            return n;
        }

        public (int Count, DateTimeOffset Last)? Ignored(string channel) =>
            _ignored.TryGetValue(channel, out var value) ? value : null;

        public void ResetIgnored(string channel)
        {
            if (_ignored.TryGetValue(channel, out var value))
            {
                _ignored[channel] = (0, value.Last);
            }
        }
    }
}
