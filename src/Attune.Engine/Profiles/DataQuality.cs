using System.Buffers;
using System.Text.Json;
using Attune.Core;
using Attune.Engine.Options;

namespace Attune.Engine.Profiles;

/// <summary>The data-quality rules compiled for the hot path: pattern search values and window lengths in milliseconds.</summary>
internal sealed class DataQualityRules
{
    private readonly SearchValues<string>? _patterns;

    public DataQualityRules(DataQualityOptions options)
    {
        Options = options;
        _patterns = options.BotPatterns.Count == 0 ? null : SearchValues.Create([.. options.BotPatterns], StringComparison.OrdinalIgnoreCase);
        MaxPerMinute = options.BotMaxEventsPerMinute;
        DuplicateWindowMs = (long)options.DuplicateWindow.TotalMilliseconds;
        SessionGapMs = (long)options.SessionGap.TotalMilliseconds;
        RetentionMs = (long)options.CheckRetention.TotalMilliseconds;
    }

    public DataQualityOptions Options { get; }

    public int MaxPerMinute { get; }

    public long DuplicateWindowMs { get; }

    public long SessionGapMs { get; }

    public long RetentionMs { get; }

    /// <summary>True when the event's device or user agent names a bot.</summary>
    public bool MatchesBotPattern(Event e)
    {
        if (_patterns is null)
        {
            return false;
        }

        if (e.Context?.Device is { } device && device.AsSpan().IndexOfAny(_patterns) >= 0)
        {
            return true;
        }

        if (e.Properties is { Count: > 0 } p)
        {
            return Matches(p, "user_agent") || Matches(p, "userAgent");
        }

        return false;
    }

    private bool Matches(IReadOnlyDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString().AsSpan().IndexOfAny(_patterns!) >= 0;
}

/// <summary>Running data-quality counts, shown in <c>GET /v1/stats</c> as <c>quality</c>.</summary>
public sealed class QualityCounters
{
    private long _seen;
    private long _profiled;
    private long _bot;
    private long _botUsers;
    private long _duplicates;
    private long _consent;
    private long _sessions;

    internal void Seen() => Interlocked.Increment(ref _seen);

    internal void Profiled(long delta) => Interlocked.Add(ref _profiled, delta);

    internal void Bot(long delta) => Interlocked.Add(ref _bot, delta);

    internal void BotUser(long delta) => Interlocked.Add(ref _botUsers, delta);

    internal void Duplicate() => Interlocked.Increment(ref _duplicates);

    internal void Consent() => Interlocked.Increment(ref _consent);

    internal void Sessions(long delta) => Interlocked.Add(ref _sessions, delta);

    internal void Reset()
    {
        _seen = _profiled = _bot = _botUsers = _duplicates = _consent = _sessions = 0;
    }

    public QualityStats Snapshot() => new(
        Interlocked.Read(ref _seen),
        Interlocked.Read(ref _profiled),
        Interlocked.Read(ref _bot),
        Interlocked.Read(ref _botUsers),
        Interlocked.Read(ref _duplicates),
        Interlocked.Read(ref _consent),
        Interlocked.Read(ref _sessions));
}

/// <summary>Data-quality counts since the profiles were last built from the log.</summary>
/// <param name="EventsSeen">Events the profiles were offered (live and from the log).</param>
/// <param name="EventsProfiled">Events that currently shape a profile (after the rules below; erasure subtracts).</param>
/// <param name="BotEvents">Events of users flagged as bots (including their events before the flag).</param>
/// <param name="BotUsers">Users flagged as bots.</param>
/// <param name="DuplicatesRemoved">Events dropped as near-duplicates (same user, item and type within the window).</param>
/// <param name="ConsentSkipped">Events of users who refused personalization, not profiled.</param>
/// <param name="Sessions">Sessions (by inactivity gap) over all current profiles.</param>
public sealed record QualityStats(
    long EventsSeen,
    long EventsProfiled,
    long BotEvents,
    long BotUsers,
    long DuplicatesRemoved,
    long ConsentSkipped,
    long Sessions);
