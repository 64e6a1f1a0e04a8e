namespace Attune.Engine.Realtime;

/// <summary>One remembered event of a user, with the item as a <see cref="LiveCatalog"/> index.</summary>
/// <param name="Weight">The event type's signed learning weight.</param>
public readonly record struct RecentEvent(int Item, string Type, float Weight, long TimeMs, string? Session);

/// <summary>
/// A user's most recent events (a ring of at most <c>capacity</c>), as the real-time recommender needs them: the latest
/// items for fold-in and item-kNN candidates, the session for sequence candidates, and what to exclude as seen.
/// Thread-safe; readers get a copy.
/// </summary>
/// <remarks>
/// The ring starts small and doubles up to <c>capacity</c>: most users have a handful of events, and allocating the
/// whole ring (200 events, 6 KB) for each new user made the zeroing of fresh memory one of ingestion's largest costs.
/// Until the history is read from the log (<see cref="Hydrate"/>), the ring holds the events observed since the user
/// was created, which is all a hydration needs to merge (anything older is in the log or was pushed out anyway).
/// </remarks>
public sealed class UserActivity(int capacity)
{
    private const int InitialRing = 4;

    private readonly Lock _lock = new();
    private RecentEvent[] _ring = [];
    private int _count;
    private int _next;
    private bool _hydrated;

    /// <summary>True once the history was read from the event log (events observed meanwhile are merged in).</summary>
    public bool IsHydrated
    {
        get
        {
            lock (_lock)
            {
                return _hydrated;
            }
        }
    }

    public void Add(RecentEvent e)
    {
        lock (_lock)
        {
            Push(e);
        }
    }

    /// <summary>Replaces the history by <paramref name="logged"/> (oldest first) plus whatever was observed since and is not in it.</summary>
    public void Hydrate(IReadOnlyList<RecentEvent> logged)
    {
        lock (_lock)
        {
            if (_hydrated)
            {
                return;
            }

            var known = new HashSet<(int, string, long)>();
            foreach (var e in logged)
            {
                known.Add((e.Item, e.Type, e.TimeMs));
            }

            var observed = Ordered();
            _hydrated = true;
            _count = 0;
            _next = 0;
            var start = Math.Max(0, logged.Count - capacity);
            for (var k = start; k < logged.Count; k++)
            {
                Push(logged[k]);
            }

            foreach (var e in observed)
            {
                if (!known.Contains((e.Item, e.Type, e.TimeMs)))
                {
                    Push(e);
                }
            }
        }
    }

    /// <summary>The remembered events, oldest first.</summary>
    public RecentEvent[] Snapshot()
    {
        lock (_lock)
        {
            return Ordered();
        }
    }

    private RecentEvent[] Ordered()
    {
        var result = new RecentEvent[_count];
        if (_count == 0)
        {
            return result;
        }

        var first = (_next - _count + _ring.Length) % _ring.Length;
        for (var k = 0; k < _count; k++)
        {
            result[k] = _ring[(first + k) % _ring.Length];
        }

        return result;
    }

    private void Push(RecentEvent e)
    {
        if (_count == _ring.Length && _ring.Length < capacity)
        {
            var ordered = Ordered();
            _ring = new RecentEvent[Math.Min(capacity, Math.Max(InitialRing, _ring.Length * 2))];
            ordered.CopyTo(_ring, 0);
            _next = _count;
        }

        _ring[_next] = e;
        _next = (_next + 1) % _ring.Length;
        _count = Math.Min(_count + 1, _ring.Length);
    }
}

/// <summary>
/// The recent activity of the most recently active users, bounded: beyond <c>capacity</c> users the least recently
/// touched is dropped (its history is read back from the event log when it returns). Thread-safe.
/// </summary>
public sealed class UserActivityCache(int capacity, int historyLength)
{
    private readonly Dictionary<string, LinkedListNode<(string User, UserActivity Activity)>> _byUser = new(StringComparer.Ordinal);
    private readonly LinkedList<(string User, UserActivity Activity)> _recency = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byUser.Count;
            }
        }
    }

    /// <summary>The user's activity, created empty (not hydrated) when absent; marks the user most recently used.</summary>
    public UserActivity GetOrAdd(string user)
    {
        lock (_lock)
        {
            if (_byUser.TryGetValue(user, out var node))
            {
                if (node != _recency.First)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                }

                return node.Value.Activity;
            }

            var activity = new UserActivity(historyLength);
            _byUser[user] = _recency.AddFirst((user, activity));
            while (_byUser.Count > capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _byUser.Remove(last.Value.User);
            }

            return activity;
        }
    }

    /// <summary>The user's activity when it is in memory, without creating it or changing the recency order.</summary>
    public bool TryGet(string user, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UserActivity? activity)
    {
        lock (_lock)
        {
            activity = _byUser.TryGetValue(user, out var node) ? node.Value.Activity : null;
            return activity is not null;
        }
    }

    public void Remove(string user)
    {
        lock (_lock)
        {
            if (_byUser.Remove(user, out var node))
            {
                _recency.Remove(node);
            }
        }
    }
}
