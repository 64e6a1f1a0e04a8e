namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// Event statistics kept in memory and published by the writer after each durable commit, so
/// <see cref="IEventLog.GetStatsAsync"/> never scans the log. The persisted copy lives in
/// <c>type_map.events</c> and <c>log_bounds</c>.
/// </summary>
internal sealed class StoreCounters
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _byType = new(StringComparer.Ordinal);
    private long _users;
    private long _items;
    private long _first = long.MaxValue;
    private long _last = long.MinValue;

    public (long First, long Last) Bounds
    {
        get
        {
            lock (_lock)
            {
                return (_first, _last);
            }
        }
    }

    public void Set(string type, long count)
    {
        lock (_lock)
        {
            _byType[type] = count;
        }
    }

    public void Apply(IEnumerable<KeyValuePair<string, long>> typeDeltas, long first, long last, long users, long items)
    {
        lock (_lock)
        {
            foreach (var (t, d) in typeDeltas)
            {
                var n = _byType.GetValueOrDefault(t) + d;
                if (n == 0)
                {
                    _byType.Remove(t);
                }
                else
                {
                    _byType[t] = n;
                }
            }

            _first = first;
            _last = last;
            _users = users;
            _items = items;
        }
    }

    public EventStats ToStats()
    {
        lock (_lock)
        {
            long total = 0;
            foreach (var n in _byType.Values)
            {
                total += n;
            }

            var empty = _first > _last;
            return new EventStats(
                total,
                _users,
                _items,
                new Dictionary<string, long>(_byType, StringComparer.Ordinal),
                empty ? null : DateTimeOffset.FromUnixTimeMilliseconds(_first),
                empty ? null : DateTimeOffset.FromUnixTimeMilliseconds(_last));
        }
    }
}
