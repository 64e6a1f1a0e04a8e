using System.Globalization;

namespace Attune.Engine.Options;

/// <summary>
/// The per-user result cache of <c>GET /v1/recommendations</c> (<c>Attune:Serving:ResultCache</c>): a repeated request
/// of a user with nothing changed is answered from the list ranked before. Any event of the user, a user upsert,
/// consent change or erasure, a model activation and any catalog change invalidate at once; <see cref="TtlSeconds"/>
/// bounds how stale the global signals (trending, popularity) and the time-based windows can get.
/// </summary>
public sealed record ResultCacheOptions
{
    /// <summary>Most cached lists across all users (least recently used users evicted); 0 disables the cache.</summary>
    public int MaxEntries { get; init; } = 50_000;

    /// <summary>How long a cached list may answer, in seconds; 0 disables the cache.</summary>
    public int TtlSeconds { get; init; } = 30;

    /// <summary>Most distinct queries (n, filter, rules...) cached per user; the least recently used is replaced.</summary>
    public int MaxPerUser { get; init; } = 4;

    public bool Enabled => MaxEntries > 0 && TtlSeconds > 0;

    public TimeSpan Ttl => TimeSpan.FromSeconds(TtlSeconds);

    internal void Validate(List<string> errors)
    {
        if (MaxEntries is < 0 or > 100_000_000)
        {
            errors.Add($"Attune:Serving:ResultCache:MaxEntries must be between 0 (off) and 100000000 (got {MaxEntries}).");
        }

        if (TtlSeconds is < 0 or > 86_400)
        {
            errors.Add($"Attune:Serving:ResultCache:TtlSeconds must be between 0 (off) and 86400 (got {TtlSeconds}).");
        }

        if (MaxPerUser is < 1 or > 1_000)
        {
            errors.Add($"Attune:Serving:ResultCache:MaxPerUser must be between 1 and 1000 (got {MaxPerUser}).");
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ResultCacheOptions {{ MaxEntries = {MaxEntries}, TtlSeconds = {TtlSeconds}, MaxPerUser = {MaxPerUser} }}");
}
