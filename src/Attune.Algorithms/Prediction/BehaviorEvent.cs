namespace Attune.Algorithms.Prediction;

/// <summary>The shopping behaviours the purchase features count.</summary>
public enum BehaviorType : byte
{
    View = 0,
    Cart = 1,
    Favorite = 2,
    Purchase = 3,
}

/// <summary>One behaviour event: who did what to which item (and its category), when (Unix seconds, UTC).</summary>
public readonly record struct BehaviorEvent(long UserId, long ItemId, long CategoryId, BehaviorType Type, long Timestamp);

/// <summary>
/// Events grouped per user and sorted by time (ties keep input order), so features at any cutoff are a
/// binary search plus a scan of that user's past.
/// </summary>
public sealed class BehaviorHistory
{
    private readonly Dictionary<long, BehaviorEvent[]> _byUser;
    private readonly long[] _users;

    public BehaviorHistory(IEnumerable<BehaviorEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var lists = new Dictionary<long, List<BehaviorEvent>>();
        foreach (var e in events)
        {
            if (!Enum.IsDefined(e.Type))
            {
                throw new ArgumentException($"Event of user {e.UserId} at {e.Timestamp} has unknown type {(int)e.Type}.", nameof(events));
            }

            if (!lists.TryGetValue(e.UserId, out var list))
            {
                lists[e.UserId] = list = [];
            }

            list.Add(e);
        }

        _byUser = new Dictionary<long, BehaviorEvent[]>(lists.Count);
        foreach (var (user, list) in lists)
        {
            var array = list.ToArray();
            // A stable sort: equal timestamps keep the order they arrived in.
            var keys = new (long Ts, int Seq)[array.Length];
            for (var i = 0; i < array.Length; i++)
            {
                keys[i] = (array[i].Timestamp, i);
            }

            Array.Sort(keys, array);
            _byUser[user] = array;
        }

        _users = [.. _byUser.Keys.Order()];
        EventCount = lists.Values.Sum(l => l.Count);
    }

    /// <summary>Every user id, ascending.</summary>
    public IReadOnlyList<long> Users => _users;

    public int EventCount { get; }

    /// <summary>The user's events, oldest first (empty for an unknown user).</summary>
    public ReadOnlySpan<BehaviorEvent> EventsOf(long user) =>
        _byUser.TryGetValue(user, out var events) ? events : ReadOnlySpan<BehaviorEvent>.Empty;

    /// <summary>The user's events strictly before <paramref name="cutoff"/>.</summary>
    public ReadOnlySpan<BehaviorEvent> EventsBefore(long user, long cutoff)
    {
        var events = EventsOf(user);
        int lo = 0, hi = events.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (events[mid].Timestamp < cutoff)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return events[..lo];
    }
}
