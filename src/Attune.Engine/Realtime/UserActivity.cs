namespace Attune.Engine.Realtime;

/// <summary>One remembered event of a user, with the item as a <see cref="LiveCatalog"/> index.</summary>
/// <param name="Weight">The event type's signed learning weight.</param>
public readonly record struct RecentEvent(int Item, string Type, float Weight, long TimeMs, string? Session);

/// <summary>
/// A user's most recent events (a ring of fixed capacity), as the real-time recommender needs them: the latest
/// items for fold-in and item-kNN candidates, the session for sequence candidates, and what to exclude as seen.
/// Thread-safe; readers get a copy.
/// </summary>
public sealed class UserActivity(int capacity)
{
    private readonly Lock _lock = new();
    private readonly RecentEvent[] _ring = new RecentEvent[capacity];
    private int _count;
    private int _next;
    private long _version;
    private List<RecentEvent>? _pending = [];

    /// <summary>True once the history was read from the event log (events observed meanwhile are merged in).</summary>
    public bool IsHydrated
    {
        get
        {
            lock (_lock)
            {
                return _pending is null;
            }
        }
    }

    public void Add(RecentEvent e)
    {
        lock (_lock)
        {
            _pending?.Add(e);
            Push(e);
        }
    }

    /// <summary>Replaces the history by <paramref name="logged"/> (oldest first) plus whatever was observed since and is not in it.</summary>
    public void Hydrate(IReadOnlyList<RecentEvent> logged)
    {
        lock (_lock)
        {
            if (_pending is null)
            {
                return;
            }

            var known = new HashSet<(int, string, long)>();
            foreach (var e in logged)
            {
                known.Add((e.Item, e.Type, e.TimeMs));
            }

            var observed = _pending;
            _pending = null;
            _version++;
            _count = 0;
            _next = 0;
            var start = Math.Max(0, logged.Count - _ring.Length);
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

    /// <summary>Grows with every change of the history (an event added, the log read back): equal versions, equal histories.</summary>
    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    /// <summary>The remembered events, oldest first.</summary>
    public RecentEvent[] Snapshot() => Snapshot(out _);

    /// <summary>The remembered events, oldest first, and the <see cref="Version"/> they are of.</summary>
    public RecentEvent[] Snapshot(out long version)
    {
        lock (_lock)
        {
            version = _version;
            var result = new RecentEvent[_count];
            var first = (_next - _count + _ring.Length) % _ring.Length;
            for (var k = 0; k < _count; k++)
            {
                result[k] = _ring[(first + k) % _ring.Length];
            }

            return result;
        }
    }

    private void Push(RecentEvent e)
    {
        _version++;
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
