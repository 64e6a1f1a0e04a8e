namespace Attune.Algorithms.Prediction;

/// <summary>One row set for item-level purchase propensity at one cutoff: a row per (user, candidate item).</summary>
/// <param name="Cutoff">T, Unix seconds: features use only events with timestamp &lt; T.</param>
/// <param name="HorizonSeconds">Labels look at [T, T + horizon).</param>
/// <param name="Users">The user of each row.</param>
/// <param name="Items">The item of each row.</param>
/// <param name="Features">Columns <see cref="PropensityFeatures.Names"/>.</param>
/// <param name="Labels">1 when the user bought that item in [T, T + horizon), else 0.</param>
public sealed record PropensityDataset(long Cutoff, long HorizonSeconds, long[] Users, long[] Items, FeatureTable Features, float[] Labels);

/// <summary>
/// Shop-wide counts per item and per category over every event strictly before a cutoff: how popular an item
/// is and how often looking at it (or its category) ends in a purchase.
/// </summary>
public sealed class ItemStatistics
{
    private readonly Dictionary<long, Counts> _items;
    private readonly Dictionary<long, Counts> _categories;
    private readonly Dictionary<long, long> _categoryOfItem;

    private ItemStatistics(Dictionary<long, Counts> items, Dictionary<long, Counts> categories, Dictionary<long, long> categoryOfItem, long cutoff)
    {
        _items = items;
        _categories = categories;
        _categoryOfItem = categoryOfItem;
        Cutoff = cutoff;
    }

    public long Cutoff { get; }

    /// <summary>Counts every user's events before <paramref name="cutoff"/>; O(events before T).</summary>
    public static ItemStatistics Build(BehaviorHistory history, long cutoff)
    {
        ArgumentNullException.ThrowIfNull(history);
        var items = new Dictionary<long, Counts>();
        var categories = new Dictionary<long, Counts>();
        var categoryOfItem = new Dictionary<long, long>();
        foreach (var user in history.Users)
        {
            foreach (var e in history.EventsBefore(user, cutoff))
            {
                Add(items, e.ItemId, e, cutoff);
                Add(categories, e.CategoryId, e, cutoff);
                categoryOfItem[e.ItemId] = e.CategoryId;
            }
        }

        return new ItemStatistics(items, categories, categoryOfItem, cutoff);
    }

    /// <summary>The category the item was last seen with before the cutoff, or −1 for an item nobody touched.</summary>
    public long CategoryOf(long item) => _categoryOfItem.GetValueOrDefault(item, -1);

    internal Counts Item(long item) => _items.GetValueOrDefault(item);

    internal Counts Category(long category) => _categories.GetValueOrDefault(category);

    private static void Add(Dictionary<long, Counts> map, long key, BehaviorEvent e, long cutoff)
    {
        var c = map.GetValueOrDefault(key);
        c.Events++;
        if (e.Type == BehaviorType.Purchase)
        {
            c.Purchases++;
        }
        else if (e.Type == BehaviorType.View)
        {
            c.Views++;
        }

        if (cutoff - e.Timestamp <= 3 * 24 * 3600)
        {
            c.Events3d++;
        }

        map[key] = c;
    }

    internal struct Counts
    {
        public int Events;
        public int Views;
        public int Purchases;
        public int Events3d;
    }
}

/// <summary>
/// Point-in-time features for "will this user buy this item in the next N days?", one row per (user, item).
/// Candidates are the items a user touched before the cutoff (most recent first, at most a configured number),
/// which is where almost all next-days purchases of an item come from; any other pair can be scored too.
/// </summary>
/// <remarks>
/// The one place these features are defined (docs/prediction.md repeats the list). "Last day" is [T − 24 h, T).
/// <list type="number">
/// <item>ui_views, ui_carts, ui_favorites, ui_purchases: the user's events on this item before T.</item>
/// <item>ui_events_1d: the user's events on this item in the last day.</item>
/// <item>hours_since_ui_event: T minus the user's last event on this item (720 when never).</item>
/// <item>ui_open_cart: 1 when the user carted or favourited the item and has not bought it since.</item>
/// <item>user_category_share: share of the user's events that fall in the item's category.</item>
/// <item>item_events, item_purchases, item_events_3d: every user's events (and purchases) on the item before T.</item>
/// <item>item_conversion: item purchases / (item views + 1).</item>
/// <item>category_conversion: the same over the item's category.</item>
/// <item>user_events, user_events_1d, user_purchases, hours_since_user_event: the user's overall activity.</item>
/// </list>
/// No leakage: user features read <see cref="BehaviorHistory.EventsBefore"/> and the item and category counts
/// come from <see cref="ItemStatistics.Build"/> at the same cutoff, which reads the same prefixes; only the
/// label reads later events. Cost: O(events before T) for the statistics plus O(user events · candidates).
/// </remarks>
public static class PropensityFeatures
{
    private const long Day = 24 * 3600;

    public static IReadOnlyList<string> Names { get; } =
    [
        "ui_views", "ui_carts", "ui_favorites", "ui_purchases", "ui_events_1d", "hours_since_ui_event", "ui_open_cart",
        "user_category_share",
        "item_events", "item_purchases", "item_events_3d", "item_conversion", "category_conversion",
        "user_events", "user_events_1d", "user_purchases", "hours_since_user_event",
    ];

    /// <summary>Rows for every user with events before the cutoff and each of their (at most <paramref name="maxCandidates"/>) most recent items.</summary>
    public static PropensityDataset Build(BehaviorHistory history, long cutoff, int horizonDays = 1, int maxCandidates = 20)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizonDays, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCandidates, 1);
        var stats = ItemStatistics.Build(history, cutoff);
        var horizon = horizonDays * Day;
        var users = new List<long>();
        var items = new List<long>();
        var values = new List<float>();
        var labels = new List<float>();
        var row = new float[Names.Count];
        var bought = new HashSet<long>();
        foreach (var user in history.Users)
        {
            var past = history.EventsBefore(user, cutoff);
            if (past.IsEmpty)
            {
                continue;
            }

            bought.Clear();
            foreach (var e in history.EventsOf(user)[past.Length..])
            {
                if (e.Timestamp >= cutoff + horizon)
                {
                    break;
                }

                if (e.Type == BehaviorType.Purchase)
                {
                    bought.Add(e.ItemId);
                }
            }

            foreach (var item in Candidates(past, maxCandidates))
            {
                Compute(past, item, stats, cutoff, row);
                users.Add(user);
                items.Add(item);
                values.AddRange(row);
                labels.Add(bought.Contains(item) ? 1f : 0f);
            }
        }

        return new PropensityDataset(cutoff, horizon, [.. users], [.. items], new FeatureTable([.. values], Names), [.. labels]);
    }

    /// <summary>The distinct items of a user's past, most recently touched first, at most <paramref name="max"/>.</summary>
    public static List<long> Candidates(ReadOnlySpan<BehaviorEvent> past, int max)
    {
        var seen = new HashSet<long>();
        var result = new List<long>();
        for (var i = past.Length - 1; i >= 0 && result.Count < max; i--)
        {
            if (seen.Add(past[i].ItemId))
            {
                result.Add(past[i].ItemId);
            }
        }

        return result;
    }

    /// <summary>Writes the features of (user, item) into <paramref name="row"/>; <paramref name="past"/> is the user's events before the cutoff.</summary>
    public static void Compute(ReadOnlySpan<BehaviorEvent> past, long item, ItemStatistics stats, long cutoff, Span<float> row)
    {
        ArgumentNullException.ThrowIfNull(stats);
        if (row.Length != Names.Count)
        {
            throw new ArgumentException($"row must have {Names.Count} entries.", nameof(row));
        }

        if (stats.Cutoff != cutoff)
        {
            throw new ArgumentException("The item statistics must be built at the same cutoff as the features.", nameof(stats));
        }

        var category = stats.CategoryOf(item);
        Span<int> ui = stackalloc int[4];
        int ui1d = 0, inCategory = 0, user1d = 0, userPurchases = 0;
        var lastUi = long.MinValue;
        var open = false;
        foreach (var e in past)
        {
            if (e.Timestamp >= cutoff)
            {
                throw new ArgumentException("Every event passed as the past must be before the cutoff.", nameof(past));
            }

            var recent = cutoff - e.Timestamp <= Day;
            user1d += recent ? 1 : 0;
            userPurchases += e.Type == BehaviorType.Purchase ? 1 : 0;
            if (category >= 0 && e.CategoryId == category)
            {
                inCategory++;
            }

            if (e.ItemId != item)
            {
                continue;
            }

            ui[(int)e.Type]++;
            ui1d += recent ? 1 : 0;
            lastUi = e.Timestamp;
            open = e.Type switch
            {
                BehaviorType.Cart or BehaviorType.Favorite => true,
                BehaviorType.Purchase => false,
                _ => open,
            };
        }

        var itemCounts = stats.Item(item);
        var categoryCounts = category >= 0 ? stats.Category(category) : default;
        var k = 0;
        for (var t = 0; t < 4; t++)
        {
            row[k++] = ui[t];
        }

        row[k++] = ui1d;
        row[k++] = lastUi == long.MinValue ? (float)PurchaseFeatures.NeverHours : Hours(cutoff, lastUi);
        row[k++] = open ? 1f : 0f;
        row[k++] = past.IsEmpty ? 0f : inCategory / (float)past.Length;
        row[k++] = itemCounts.Events;
        row[k++] = itemCounts.Purchases;
        row[k++] = itemCounts.Events3d;
        row[k++] = itemCounts.Purchases / (float)(itemCounts.Views + 1);
        row[k++] = categoryCounts.Purchases / (float)(categoryCounts.Views + 1);
        row[k++] = past.Length;
        row[k++] = user1d;
        row[k++] = userPurchases;
        row[k] = past.IsEmpty ? (float)PurchaseFeatures.NeverHours : Hours(cutoff, past[^1].Timestamp);
    }

    private static float Hours(long cutoff, long at) => (float)Math.Min(PurchaseFeatures.NeverHours, (cutoff - at) / 3600.0);
}
