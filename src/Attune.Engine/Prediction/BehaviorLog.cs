using Attune.Algorithms.Prediction;
using Attune.Core;
using Attune.Storage;

namespace Attune.Engine.Prediction;

/// <summary>
/// The event log as the prediction features see it: each user's behaviour events sorted by time, with the
/// string ids of users, items and categories mapped to dense numbers and back.
/// </summary>
/// <remarks>
/// Event types map to behaviours as follows: view, click and dwell are views; add_to_cart is a cart; bookmark
/// and like are favourites; purchase is a purchase. Other types (impressions, searches, ratings, removals) are
/// not behaviour signals here and are left out, so "activity" for churn means one of the mapped types.
/// An item's category is the last (most specific) entry of its catalog categories.
/// </remarks>
public sealed class BehaviorLog
{
    private readonly Dictionary<string, long> _userNumbers;
    private readonly string[] _userIds;
    private readonly Dictionary<string, long> _itemNumbers;
    private readonly string[] _itemIds;

    private BehaviorLog(BehaviorHistory history, Dictionary<string, long> users, Dictionary<string, long> items, long? lastTimestamp)
    {
        History = history;
        _userNumbers = users;
        _itemNumbers = items;
        _userIds = new string[users.Count];
        foreach (var (id, n) in users)
        {
            _userIds[n] = id;
        }

        _itemIds = new string[items.Count];
        foreach (var (id, n) in items)
        {
            _itemIds[n] = id;
        }

        LastTimestamp = lastTimestamp;
    }

    public BehaviorHistory History { get; }

    /// <summary>Unix seconds of the latest mapped event; null when there is none.</summary>
    public long? LastTimestamp { get; }

    public static BehaviorType? Map(string eventType) => eventType switch
    {
        EventTypes.View or EventTypes.Click or EventTypes.Dwell => BehaviorType.View,
        EventTypes.AddToCart => BehaviorType.Cart,
        EventTypes.Bookmark or EventTypes.Like => BehaviorType.Favorite,
        EventTypes.Purchase => BehaviorType.Purchase,
        _ => null,
    };

    /// <summary>Reads every item event of the store and the categories of its catalog.</summary>
    public static async Task<BehaviorLog> LoadAsync(IAttuneStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await store.Catalog.ListAsync(cursor, 1000, cancellationToken);
            foreach (var item in page.Items)
            {
                if (item.Categories is { Count: > 0 } c)
                {
                    categories[item.Id] = c[^1];
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var snapshot = await store.Events.ReadSnapshotAsync(null, cancellationToken);
        var typeMap = snapshot.Types.Select(Map).ToArray();
        var rows = new List<(string User, string Item, BehaviorType Type, long Seconds)>(snapshot.Count);
        for (var r = 0; r < snapshot.Count; r++)
        {
            if (typeMap[snapshot.TypeIndex[r]] is { } type)
            {
                rows.Add((snapshot.UserIds[snapshot.UserIndex[r]], snapshot.ItemIds[snapshot.ItemIndex[r]], type, Math.DivRem(snapshot.TimestampMs[r], 1000L).Quotient));
            }
        }

        return Build(rows, categories);
    }

    /// <summary>Builds the log from events and the items they refer to (events of unknown types are left out).</summary>
    public static BehaviorLog FromEvents(IEnumerable<Event> events, IEnumerable<Item> items)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(items);
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Categories is { Count: > 0 } c)
            {
                categories[item.Id] = c[^1];
            }
        }

        var rows = new List<(string, string, BehaviorType, long)>();
        foreach (var e in events)
        {
            if (e.ItemId is { } item && Map(e.Type) is { } type)
            {
                rows.Add((e.UserId, item, type, e.Timestamp.ToUnixTimeSeconds()));
            }
        }

        return Build(rows, categories);
    }

    /// <summary>Builds the log from numeric behaviour events (e.g. <see cref="BehaviorEventCsv"/>); ids become their decimal strings.</summary>
    public static BehaviorLog FromBehavior(IEnumerable<BehaviorEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = new List<(string, string, BehaviorType, long)>();
        foreach (var e in events)
        {
            var item = e.ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            categories[item] = e.CategoryId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            rows.Add((e.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), item, e.Type, e.Timestamp));
        }

        return Build(rows, categories);
    }

    public bool TryGetUser(string userId, out long number) => _userNumbers.TryGetValue(userId, out number);

    public bool TryGetItem(string itemId, out long number) => _itemNumbers.TryGetValue(itemId, out number);

    public string UserId(long number) => _userIds[number];

    public string ItemId(long number) => _itemIds[number];

    private static BehaviorLog Build(List<(string User, string Item, BehaviorType Type, long Seconds)> rows, Dictionary<string, string> categoryOfItem)
    {
        var users = new Dictionary<string, long>(StringComparer.Ordinal);
        var items = new Dictionary<string, long>(StringComparer.Ordinal);
        var categoryNumbers = new Dictionary<string, long>(StringComparer.Ordinal);
        var events = new List<BehaviorEvent>(rows.Count);
        long? last = null;
        foreach (var (user, item, type, seconds) in rows)
        {
            var u = Number(users, user);
            var i = Number(items, item);
            // An item without a category gets its own, so category features stay defined.
            var category = Number(categoryNumbers, categoryOfItem.TryGetValue(item, out var name) ? name : "\0item:" + item);
            events.Add(new BehaviorEvent(u, i, category, type, seconds));
            last = last is null ? seconds : Math.Max(last.Value, seconds);
        }

        return new BehaviorLog(new BehaviorHistory(events), users, items, last);
    }

    private static long Number(Dictionary<string, long> map, string key)
    {
        if (!map.TryGetValue(key, out var n))
        {
            map[key] = n = map.Count;
        }

        return n;
    }
}
