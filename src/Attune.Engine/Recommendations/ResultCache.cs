using Attune.Engine.Models;
using Attune.Engine.Options;
using Attune.Engine.Realtime;
using Attune.Engine.Serving;

namespace Attune.Engine.Recommendations;

/// <summary>
/// One cached answer: the whole ranked list (what a cursor pages through), its explained first page, and everything
/// it was computed from, so that a look-up can tell whether it still holds.
/// </summary>
/// <param name="Query">The normalized query (see <see cref="ResultCache.KeyOf"/>).</param>
/// <param name="List">The ranked list, shared read-only by every answer served from it.</param>
/// <param name="FirstPage">The first page as served, explanations included (positions 0 to n - 1).</param>
/// <param name="Served">The first page as online metrics record it (item id, source).</param>
/// <param name="Rendered">The first page's items as the API serialized them, filled by the first writer.</param>
/// <param name="Activity">The user's in-memory history the list was ranked from (null when there was none).</param>
/// <param name="ActivityVersion">Its <see cref="UserActivity.Version"/> when it was read.</param>
/// <param name="Model">The active model that ranked it (null before any model).</param>
/// <param name="CatalogVersion">The <see cref="LiveCatalog.Version"/> of the catalog snapshot it was ranked on.</param>
public sealed record CachedResult(
    string Query,
    Candidate[] List,
    IReadOnlyList<RecommendedItem> FirstPage,
    IReadOnlyList<(string ItemId, string Source)> Served,
    System.Runtime.CompilerServices.StrongBox<byte[]?> Rendered,
    string? ModelVersion,
    string? Fallback,
    UserActivity? Activity,
    long ActivityVersion,
    ServingModel? Model,
    long CatalogVersion,
    DateTimeOffset Expires);

/// <summary>
/// Per-user cache of ranked recommendation lists, as mature recommendation services keep one: a user who reloads a
/// page, or several widgets asking the same thing, are answered without ranking again. Bounded by
/// <see cref="ResultCacheOptions.MaxEntries"/> lists (least recently used users evicted first) and
/// <see cref="ResultCacheOptions.MaxPerUser"/> queries per user. Entries are checked against the live state by the
/// caller; this class removes a user's entries on demand and refuses an entry computed across a user change
/// (see <see cref="Generation"/>). Thread-safe.
/// </summary>
/// <remarks>Look-up and insertion are O(MaxPerUser) under one short lock.</remarks>
public sealed class ResultCache
{
    private readonly ResultCacheOptions _options;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, LinkedListNode<UserSlot>> _byUser = new(StringComparer.Ordinal);
    private readonly LinkedList<UserSlot> _recency = new();
    private readonly Lock _lock = new();
    // One builder per thread for the keys: a key is built on every request.
    [ThreadStatic]
    private static System.Text.StringBuilder? t_key;

    private long _generation;
    private int _entries;
    private long _hits;
    private long _misses;
    private long _bypassed;

    public ResultCache(ResultCacheOptions options, TimeProvider? clock = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _clock = clock ?? TimeProvider.System;
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Requests answered from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Requests that looked and ranked afresh (nothing cached, or the entry no longer held).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Requests that never looked (exploration on, or the cache off).</summary>
    public long Bypassed => Interlocked.Read(ref _bypassed);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries;
            }
        }
    }

    /// <summary>
    /// Grows with every <see cref="Invalidate"/>. A caller reads it before reading the user's record and passes it to
    /// <see cref="Add"/>, which refuses the entry when a user changed meanwhile (the record read may be stale).
    /// </summary>
    public long Generation
    {
        get
        {
            lock (_lock)
            {
                return _generation;
            }
        }
    }

    /// <summary>
    /// The normalized query: every parameter that shapes the list, in a fixed order, numbers written exactly (the
    /// bits of a double), strings length-prefixed so that no two different queries share a key. The exclude list
    /// is a set: its order and repeats do not matter.
    /// </summary>
    public static string KeyOf(RecommendationQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var key = t_key ??= new System.Text.StringBuilder(128);
        key.Clear();
        key.Append(query.Count).Append('|');
        Text(key, query.Filter);
        Text(key, query.Category);
        Number(key, query.DiversityLambda);
        key.Append(query.MaxPerCategory is { } cap ? cap.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-").Append('|');
        Number(key, query.ExplorationShare);
        if (query.Rules is { Count: > 0 } rules)
        {
            foreach (var r in rules)
            {
                key.Append((int)r.Action).Append(',');
                Number(key, r.Multiply);
                Number(key, r.Add);
                key.Append(r.Position).Append(',');
                Text(key, r.Condition);
            }
        }

        key.Append('#');
        if (query.Exclude is { Count: > 0 } exclude)
        {
            var sorted = new SortedSet<string>(exclude, StringComparer.Ordinal);
            foreach (var id in sorted)
            {
                Text(key, id);
            }
        }

        return key.ToString();
    }

    /// <summary>The user's entry for <paramref name="query"/> when one is cached and not expired (validity is the caller's to check).</summary>
    public CachedResult? Find(string userId, string query)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            if (!_byUser.TryGetValue(userId, out var node))
            {
                return null;
            }

            var entries = node.Value.Entries;
            for (var k = 0; k < entries.Count; k++)
            {
                var e = entries[k];
                if (!string.Equals(e.Query, query, StringComparison.Ordinal))
                {
                    continue;
                }

                if (now >= e.Expires)
                {
                    entries.RemoveAt(k);
                    _entries--;
                    return null;
                }

                if (node != _recency.First)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                }

                return e;
            }

            return null;
        }
    }

    /// <summary>The expiry of an entry made now.</summary>
    public DateTimeOffset ExpiresFromNow() => _clock.GetUtcNow() + _options.Ttl;

    /// <summary>
    /// Stores <paramref name="entry"/> for the user, replacing one for the same query; refused (false) when any user
    /// changed since <paramref name="generation"/> was read.
    /// </summary>
    public bool Add(string userId, CachedResult entry, long generation)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_options.Enabled)
        {
            return false;
        }

        lock (_lock)
        {
            if (generation != _generation)
            {
                return false;
            }

            if (!_byUser.TryGetValue(userId, out var node))
            {
                node = _recency.AddFirst(new UserSlot(userId));
                _byUser.Add(userId, node);
            }
            else if (node != _recency.First)
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
            }

            var entries = node.Value.Entries;
            var replaced = false;
            for (var k = 0; k < entries.Count; k++)
            {
                if (string.Equals(entries[k].Query, entry.Query, StringComparison.Ordinal))
                {
                    entries.RemoveAt(k);
                    _entries--;
                    replaced = true;
                    break;
                }
            }

            if (!replaced && entries.Count >= _options.MaxPerUser)
            {
                // Entries are kept most recent last: the first is the least recently stored.
                entries.RemoveAt(0);
                _entries--;
            }

            entries.Add(entry);
            _entries++;
            while (_entries > _options.MaxEntries && _recency.Last is { } last && last != node)
            {
                _recency.RemoveLast();
                _byUser.Remove(last.Value.UserId);
                _entries -= last.Value.Entries.Count;
            }

            return true;
        }
    }

    /// <summary>Drops the user's entries (user upsert, consent change, erasure) and refuses entries being computed meanwhile.</summary>
    public void Invalidate(string userId)
    {
        lock (_lock)
        {
            _generation++;
            if (_byUser.Remove(userId, out var node))
            {
                _recency.Remove(node);
                _entries -= node.Value.Entries.Count;
            }
        }
    }

    /// <summary>Drops one entry that no longer holds (its user's history, the model or the catalog changed).</summary>
    public void Remove(string userId, CachedResult entry)
    {
        lock (_lock)
        {
            if (_byUser.TryGetValue(userId, out var node) && node.Value.Entries.Remove(entry))
            {
                _entries--;
            }
        }
    }

    internal void CountHit() => Interlocked.Increment(ref _hits);

    internal void CountMiss() => Interlocked.Increment(ref _misses);

    internal void CountBypass() => Interlocked.Increment(ref _bypassed);

    private static void Text(System.Text.StringBuilder key, string? text)
    {
        if (text is null)
        {
            key.Append("-|");
            return;
        }

        key.Append(text.Length).Append(':').Append(text).Append('|');
    }

    private static void Number(System.Text.StringBuilder key, double? value)
    {
        if (value is { } v)
        {
            key.Append(BitConverter.DoubleToInt64Bits(v).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            key.Append('-');
        }

        key.Append('|');
    }

    private sealed class UserSlot(string userId)
    {
        public string UserId { get; } = userId;

        public List<CachedResult> Entries { get; } = [];
    }
}
