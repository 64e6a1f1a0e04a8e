using System.Runtime.InteropServices;
using Attune.Core;

namespace Attune.Engine.Profiles;

/// <summary>
/// The mutable accumulator behind one user's profile. Every field is an order-independent aggregate of the user's
/// events (sums, counts, min/max, sets, merged session intervals, per-item decayed weights in a fixed time frame),
/// so applying the same events in any order gives the same state: that is what makes the live profile equal to a
/// rebuild from the log. Guarded by locking the instance.
/// </summary>
/// <remarks>
/// Decay: an event at time t adds w·2^(t/h) (h the half-life, t in half-lives since the Unix epoch, relative to an
/// anchor that is a multiple of 64 half-lives) to its item's weight; reading at time T multiplies by 2^(−T/h).
/// Moving the anchor rescales by an exact power of two, so the representation never overflows and a weight read at
/// any time equals Σ w·2^(−(T−t)/h). Normalized interests do not depend on T at all. Per event: O(1) expected
/// (hash updates, one session-interval binary search).
/// </remarks>
internal sealed class ProfileState(string userId)
{
    private const double AnchorBlock = 64;
    private const long DayMs = 86_400_000;

    public string UserId { get; } = userId;

    public User? User;
    public bool IsBot;

    public long Events;
    public long FirstMs = long.MaxValue;
    public long LastMs = long.MinValue;
    public int Orders;
    public double Revenue;
    public long LastOrderMs = long.MinValue;
    public double DwellSum;
    public int DwellCount;
    public HashSet<int>? Days;
    public List<long>? SessionStart;
    public List<long>? SessionEnd;
    public Dictionary<string, int>? Channels;
    public Dictionary<string, int>? Devices;
    public Dictionary<string, double>? Items;
    public double Anchor = double.NaN;
    public Dictionary<string, PredictedScore>? Predictions;

    // Data-quality memory, small and fixed per user: the count of the latest clock minute, and the last
    // RecentKeys accepted (item, type, window) keys within the retention behind the latest event.
    public const int RecentKeys = 32;
    public long CurrentMinute = long.MinValue;
    public int CurrentMinuteCount;
    public List<(string Item, string Type, long Bucket)>? Recent;
    public int RecentNext;
    public long MaxBucket = long.MinValue;

    /// <summary>Bumped on every change; the cached snapshot is valid while it matches.</summary>
    public long Version;
    public CachedSnapshot? Cache;

    public int SessionCount => SessionStart?.Count ?? 0;

    public bool HasBehaviour => Events > 0;

    /// <summary>Runs the quality rules on one event; returns the outcome and, when accepted, accumulates it.</summary>
    public EventOutcome Offer(Event e, DataQualityRules rules, EventTypeRegistry types, double halfLifeMs, int maxItems)
    {
        if (IsBot)
        {
            return EventOutcome.Bot;
        }

        var ms = e.Timestamp.ToUnixTimeMilliseconds();
        if (rules.MatchesBotPattern(e))
        {
            return EventOutcome.BecameBot;
        }

        if (rules.MaxPerMinute > 0 && CountMinute(ms) > rules.MaxPerMinute)
        {
            return EventOutcome.BecameBot;
        }

        if (rules.DuplicateWindowMs > 0 && e.ItemId is { } item && IsDuplicate(item, e.Type, ms, rules))
        {
            return EventOutcome.Duplicate;
        }

        Accumulate(e, ms, rules.SessionGapMs, types, halfLifeMs, maxItems);
        return EventOutcome.Accepted;
    }

    /// <summary>Drops everything learned from behaviour (the user became a bot); returns (events, sessions) dropped.</summary>
    public (long Events, int Sessions) ClearBehaviour()
    {
        var dropped = (Events, SessionCount);
        Events = 0;
        FirstMs = long.MaxValue;
        LastMs = long.MinValue;
        Orders = 0;
        Revenue = 0;
        LastOrderMs = long.MinValue;
        DwellSum = 0;
        DwellCount = 0;
        Days = null;
        SessionStart = null;
        SessionEnd = null;
        Channels = null;
        Devices = null;
        Items = null;
        Anchor = double.NaN;
        Recent = null;
        RecentNext = 0;
        Version++;
        return dropped;
    }

    /// <summary>
    /// Events in the event's clock minute when it is the user's latest minute; a late event in an older minute is
    /// not counted (bots send in bursts, and keeping one counter makes the rule O(1) in time and memory).
    /// </summary>
    private int CountMinute(long ms)
    {
        var minute = Math.DivRem(ms, 60_000, out var rem) - (rem < 0 ? 1 : 0);
        if (minute > CurrentMinute)
        {
            CurrentMinute = minute;
            CurrentMinuteCount = 0;
        }
        else if (minute < CurrentMinute)
        {
            return 0;
        }

        return ++CurrentMinuteCount;
    }

    private bool IsDuplicate(string item, string type, long ms, DataQualityRules rules)
    {
        var w = rules.DuplicateWindowMs;
        var bucket = Math.DivRem(ms, w, out var rem) - (rem < 0 ? 1 : 0);
        var retention = Math.Max(1, rules.RetentionMs / w);
        if (MaxBucket != long.MinValue && bucket < MaxBucket - retention)
        {
            return false;
        }

        var recent = Recent ??= new List<(string, string, long)>(4);
        foreach (var k in recent)
        {
            if (k.Bucket == bucket && string.Equals(k.Item, item, StringComparison.Ordinal) && string.Equals(k.Type, type, StringComparison.Ordinal))
            {
                return true;
            }
        }

        if (recent.Count < RecentKeys)
        {
            recent.Add((item, type, bucket));
        }
        else
        {
            recent[RecentNext] = (item, type, bucket);
            RecentNext = (RecentNext + 1) % RecentKeys;
        }

        MaxBucket = Math.Max(MaxBucket, bucket);
        return false;
    }

    private void Accumulate(Event e, long ms, long gapMs, EventTypeRegistry types, double halfLifeMs, int maxItems)
    {
        Events++;
        Version++;
        if (ms < FirstMs)
        {
            FirstMs = ms;
        }

        if (ms > LastMs)
        {
            LastMs = ms;
        }

        (Days ??= []).Add((int)(Math.DivRem(ms, DayMs, out var rem) - (rem < 0 ? 1 : 0)));
        AddToSessions(ms, gapMs);

        var value = e.Value is { } v && double.IsFinite(v) && v >= 0 ? v : 0;
        if (string.Equals(e.Type, EventTypes.Purchase, StringComparison.Ordinal))
        {
            Orders++;
            Revenue += value;
            if (ms > LastOrderMs)
            {
                LastOrderMs = ms;
            }
        }
        else if (string.Equals(e.Type, EventTypes.Dwell, StringComparison.Ordinal))
        {
            DwellSum += value;
            DwellCount++;
        }

        if (e.Context is { } c)
        {
            if (c.Channel is { } channel)
            {
                Increment(Channels ??= new Dictionary<string, int>(StringComparer.Ordinal), channel);
            }

            if (c.Device is { } device)
            {
                Increment(Devices ??= new Dictionary<string, int>(StringComparer.Ordinal), device);
            }
        }

        if (e.ItemId is { } item)
        {
            var w = types.SignedWeight(e.Type);
            if (w != 0)
            {
                AddItemWeight(item, w, ms / halfLifeMs, maxItems);
            }
        }
    }

    private void AddItemWeight(string item, double weight, double x, int maxItems)
    {
        Items ??= new Dictionary<string, double>(StringComparer.Ordinal);
        var block = Math.Floor(x / AnchorBlock) * AnchorBlock;
        if (double.IsNaN(Anchor))
        {
            Anchor = block;
        }
        else if (block > Anchor)
        {
            var shift = (int)Math.Max(int.MinValue / 2, Anchor - block);
            foreach (var key in Items.Keys)
            {
                ref var v = ref CollectionsMarshal.GetValueRefOrNullRef(Items, key);
                v = Math.ScaleB(v, shift);
            }

            Anchor = block;
        }

        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(Items, item, out _);
        slot += weight * Math.Pow(2, x - Anchor);
        if (Items.Count > maxItems + (maxItems / 10) + 1)
        {
            Forget(maxItems);
        }
    }

    /// <summary>Keeps the <paramref name="keep"/> items with the largest absolute weight (ties: ordinal id).</summary>
    private void Forget(int keep)
    {
        var entries = Items!.ToArray();
        Array.Sort(entries, static (a, b) =>
        {
            var c = Math.Abs(b.Value).CompareTo(Math.Abs(a.Value));
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });
        for (var i = keep; i < entries.Length; i++)
        {
            Items!.Remove(entries[i].Key);
        }
    }

    /// <summary>Sessions are maximal runs of timestamps whose gaps are at most the inactivity gap; kept as sorted intervals.</summary>
    private void AddToSessions(long ms, long gapMs)
    {
        var starts = SessionStart ??= [];
        var ends = SessionEnd ??= [];
        var idx = starts.BinarySearch(ms);
        if (idx < 0)
        {
            idx = ~idx;
        }
        else
        {
            // ms equals a session start: already inside it.
            return;
        }

        var left = idx - 1;
        var joinLeft = left >= 0 && ms - ends[left] <= gapMs;
        var joinRight = idx < starts.Count && starts[idx] - ms <= gapMs;
        if (joinLeft && joinRight)
        {
            ends[left] = Math.Max(ends[left], ends[idx]);
            starts.RemoveAt(idx);
            ends.RemoveAt(idx);
        }
        else if (joinLeft)
        {
            ends[left] = Math.Max(ends[left], ms);
        }
        else if (joinRight)
        {
            starts[idx] = ms;
        }
        else
        {
            starts.Insert(idx, ms);
            ends.Insert(idx, ms);
        }
    }

    private static void Increment(Dictionary<string, int> counts, string key)
    {
        ref var c = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _);
        c++;
    }
}

internal enum EventOutcome
{
    Accepted,
    Duplicate,
    Bot,
    BecameBot,
}

/// <summary>The time-independent part of a snapshot, with what is needed to finish it for any time.</summary>
internal sealed record CachedSnapshot(UserProfile Base, long LastOrderMs, long StateVersion, long Epoch);
