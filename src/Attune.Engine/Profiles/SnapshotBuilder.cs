using System.Collections.Frozen;
using System.Text.Json;
using Attune.Engine.Options;

namespace Attune.Engine.Profiles;

/// <summary>Turns a <see cref="ProfileState"/> into a <see cref="UserProfile"/>: the time-independent base, then the time-dependent fields.</summary>
internal sealed class SnapshotBuilder(ProfileOptions options, ItemInterestIndex index)
{
    private const double DayMs = 86_400_000;
    private static readonly IReadOnlyDictionary<string, JsonElement> NoAttributes = FrozenDictionary<string, JsonElement>.Empty;
    private static readonly IReadOnlyDictionary<string, PredictedScore> NoPredictions = FrozenDictionary<string, PredictedScore>.Empty;
    private readonly double _halfLifeMs = options.InterestHalfLife.TotalMilliseconds;
    private readonly LifecycleOptions _lifecycle = options.Lifecycle;

    /// <summary>The snapshot as of <paramref name="now"/>; the caller holds the state's lock. <paramref name="epoch"/> changes when the population or the catalog does.</summary>
    public UserProfile Build(ProfileState state, PopulationStats population, long epoch, DateTimeOffset now)
    {
        var cache = state.Cache;
        if (cache is null || cache.StateVersion != state.Version || cache.Epoch != epoch)
        {
            cache = new CachedSnapshot(BuildBase(state, population), state.LastOrderMs, state.Version, epoch);
            state.Cache = cache;
        }

        return Finish(cache, now);
    }

    private UserProfile Finish(CachedSnapshot cache, DateTimeOffset now)
    {
        var b = cache.Base;
        var nowMs = now.ToUnixTimeMilliseconds();
        var rfm = b.Rfm.Frequency > 0 ? b.Rfm with { RecencyDays = Math.Max(0, (nowMs - cache.LastOrderMs) / DayMs) } : b.Rfm;
        return b with { AsOf = now, Rfm = rfm, Lifecycle = Stage(b.FirstSeen, b.LastSeen, now) };
    }

    public LifecycleStage Stage(DateTimeOffset? first, DateTimeOffset? last, DateTimeOffset now)
    {
        if (first is not { } f || last is not { } l)
        {
            return LifecycleStage.New;
        }

        var idle = (now - l).TotalDays;
        if (idle > _lifecycle.ChurnedAfterDays)
        {
            return LifecycleStage.Churned;
        }

        if (idle > _lifecycle.LapsedAfterDays)
        {
            return LifecycleStage.Lapsed;
        }

        if (idle > _lifecycle.AtRiskAfterDays)
        {
            return LifecycleStage.AtRisk;
        }

        return (now - f).TotalDays <= _lifecycle.NewForDays ? LifecycleStage.New : LifecycleStage.Active;
    }

    private UserProfile BuildBase(ProfileState s, PopulationStats population)
    {
        var has = s.HasBehaviour;
        var rfm = s.Orders > 0
            ? new RfmScores(null, s.Orders, s.Revenue,
                population.RecencyScore(s.LastOrderMs), population.FrequencyScore(s.Orders), population.MonetaryScore(s.Revenue))
            : RfmScores.None;
        return new UserProfile(
            s.UserId,
            default,
            has ? DateTimeOffset.FromUnixTimeMilliseconds(s.FirstMs) : null,
            has ? DateTimeOffset.FromUnixTimeMilliseconds(s.LastMs) : null,
            s.Events,
            s.SessionCount,
            s.Days?.Count ?? 0,
            s.DwellCount > 0 ? s.DwellSum / s.DwellCount : null,
            Preferred(s.Channels),
            Preferred(s.Devices),
            rfm,
            LifecycleStage.New,
            Interests(s),
            s.Predictions is { Count: > 0 } p ? p.ToFrozenDictionary(StringComparer.Ordinal) : NoPredictions,
            s.User?.Attributes ?? NoAttributes,
            s.User?.Consent.Marketing.Granted ?? false,
            s.IsBot);
    }

    private IReadOnlyDictionary<string, InterestScores> Interests(ProfileState s)
    {
        var fields = index.Fields;
        var result = new Dictionary<string, InterestScores>(fields.Count, StringComparer.Ordinal);
        if (s.Items is not { Count: > 0 } items)
        {
            foreach (var f in fields)
            {
                result[f] = InterestScores.Empty;
            }

            return result;
        }

        var sums = new Dictionary<string, double>[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            sums[f] = new Dictionary<string, double>(StringComparer.Ordinal);
        }

        foreach (var (item, weight) in items)
        {
            var keys = index.Get(item);
            for (var f = 0; f < keys.Length; f++)
            {
                foreach (var key in keys[f])
                {
                    sums[f][key] = sums[f].GetValueOrDefault(key) + weight;
                }
            }
        }

        // Strength: the positive evidence decayed to the user's last event, so it does not move with the clock.
        var toLast = Math.Pow(2, s.Anchor - (s.LastMs / _halfLifeMs));
        for (var f = 0; f < fields.Count; f++)
        {
            result[fields[f]] = Top(sums[f], options.TopInterests, toLast);
        }

        return result;
    }

    private static InterestScores Top(Dictionary<string, double> sums, int n, double scale)
    {
        var total = 0.0;
        var positive = new List<KeyValuePair<string, double>>(sums.Count);
        foreach (var kv in sums)
        {
            if (kv.Value > 0)
            {
                total += kv.Value;
                positive.Add(kv);
            }
        }

        if (positive.Count == 0 || !(total > 0))
        {
            return InterestScores.Empty;
        }

        positive.Sort(static (a, b) =>
        {
            var c = b.Value.CompareTo(a.Value);
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });
        var top = new InterestScore[Math.Min(n, positive.Count)];
        for (var i = 0; i < top.Length; i++)
        {
            top[i] = new InterestScore(positive[i].Key, positive[i].Value / total);
        }

        return new InterestScores(top, total * scale);
    }

    private static string? Preferred(Dictionary<string, int>? counts)
    {
        if (counts is null)
        {
            return null;
        }

        string? best = null;
        var max = 0;
        foreach (var (key, count) in counts)
        {
            if (count > max || (count == max && string.CompareOrdinal(key, best) < 0))
            {
                best = key;
                max = count;
            }
        }

        return best;
    }
}
