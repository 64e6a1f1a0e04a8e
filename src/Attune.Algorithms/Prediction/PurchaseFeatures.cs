namespace Attune.Algorithms.Prediction;

/// <summary>One row set for next-N-days purchase prediction at one cutoff.</summary>
/// <param name="Cutoff">T, Unix seconds: features use only events with timestamp &lt; T.</param>
/// <param name="HorizonSeconds">Labels look at [T, T + horizon).</param>
/// <param name="Users">The user of each row: every user with at least one event before T, ascending.</param>
/// <param name="Features">One row per user, columns <see cref="PurchaseFeatures.Names"/>.</param>
/// <param name="Labels">The <see cref="UserLabel"/> of each row: for purchase, 1 when the user bought anything in
/// [T, T + horizon); for churn, 1 when the user did nothing at all in [T, T + horizon).</param>
public sealed record PurchaseDataset(long Cutoff, long HorizonSeconds, long[] Users, FeatureTable Features, float[] Labels);

/// <summary>
/// Point-in-time features for "will this user buy in the next N days?", computed from a user's events
/// strictly before the cutoff T, and the label from events in [T, T + N days).
/// </summary>
/// <remarks>
/// The one place the features are defined (docs/prediction.md repeats this list). "Last day" is
/// [T − 24 h, T), "last 3 days" is [T − 72 h, T). Hours-since features are capped at
/// <see cref="NeverHours"/> when the event never happened, so "never" reads as "very long ago".
/// <list type="number">
/// <item>views, carts, favorites, purchases: counts of each behaviour before T.</item>
/// <item>views_1d, carts_1d, favorites_1d, purchases_1d: the same in the last day.</item>
/// <item>events_3d: all events in the last 3 days.</item>
/// <item>hours_since_last_event, hours_since_last_view, hours_since_last_cart, hours_since_last_favorite,
/// hours_since_last_purchase: T minus the latest such event, in hours.</item>
/// <item>hours_since_first_event: tenure.</item>
/// <item>distinct_items, distinct_categories: touched by any behaviour before T.</item>
/// <item>days_active: distinct 24-hour periods counted back from T ([T−24h,T), [T−48h,T−24h), ...) with an event.</item>
/// <item>open_cart_items: distinct items carted or favourited before T and not bought after that, before T.</item>
/// <item>open_cart_items_1d: of those, the ones carted or favourited in the last day.</item>
/// <item>purchase_rate: purchases / (views + 1), the user's habitual conversion.</item>
/// <item>last_day_share: events in the last day / all events (is activity ramping up?).</item>
/// </list>
/// Why this cannot leak: <see cref="Build"/> reads each user through <see cref="BehaviorHistory.EventsBefore"/>
/// (a binary search that stops at the first event at or after T) and selects users from that same prefix;
/// only the label reads later events. The leakage test appends future events and checks every feature is
/// unchanged. Cost: O(events before T) per cutoff plus a binary search per user.
/// </remarks>
/// <summary>What a per-user row set predicts; the features are the same for both.</summary>
public enum UserLabel
{
    /// <summary>1 when the user buys anything in [T, T + N days).</summary>
    Purchase = 0,

    /// <summary>1 when the user has no event at all in [T, T + N days).</summary>
    Churn = 1,
}

public static class PurchaseFeatures
{
    public const double NeverHours = 24 * 30;

    private const long Day = 24 * 3600;

    public static IReadOnlyList<string> Names { get; } =
    [
        "views", "carts", "favorites", "purchases",
        "views_1d", "carts_1d", "favorites_1d", "purchases_1d",
        "events_3d",
        "hours_since_last_event", "hours_since_last_view", "hours_since_last_cart", "hours_since_last_favorite",
        "hours_since_last_purchase", "hours_since_first_event",
        "distinct_items", "distinct_categories", "days_active",
        "open_cart_items", "open_cart_items_1d",
        "purchase_rate", "last_day_share",
    ];

    public static PurchaseDataset Build(BehaviorHistory history, long cutoff, int horizonDays = 1, UserLabel label = UserLabel.Purchase)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (horizonDays < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(horizonDays), horizonDays, "horizonDays must be >= 1.");
        }

        var horizon = horizonDays * Day;
        var d = Names.Count;
        var users = new List<long>();
        var values = new List<float>();
        var labels = new List<float>();
        var row = new float[d];
        var scratch = new Scratch();
        foreach (var user in history.Users)
        {
            var past = history.EventsBefore(user, cutoff);
            if (past.IsEmpty)
            {
                continue;
            }

            Compute(past, cutoff, row, scratch);
            users.Add(user);
            values.AddRange(row);
            var future = history.EventsOf(user)[past.Length..];
            var positive = label == UserLabel.Churn
                ? future.IsEmpty || future[0].Timestamp >= cutoff + horizon
                : BuysIn(future, cutoff + horizon);
            labels.Add(positive ? 1f : 0f);
        }

        return new PurchaseDataset(cutoff, horizon, [.. users], new FeatureTable([.. values], Names), [.. labels]);
    }

    /// <summary>Writes the features of one user's past (events before <paramref name="cutoff"/>, oldest first) into <paramref name="row"/>.</summary>
    public static void Compute(ReadOnlySpan<BehaviorEvent> past, long cutoff, Span<float> row) => Compute(past, cutoff, row, new Scratch());

    private static void Compute(ReadOnlySpan<BehaviorEvent> past, long cutoff, Span<float> row, Scratch scratch)
    {
        if (row.Length != Names.Count)
        {
            throw new ArgumentException($"row must have {Names.Count} entries.", nameof(row));
        }

        Span<int> total = stackalloc int[4];
        Span<int> lastDay = stackalloc int[4];
        Span<long> lastAt = stackalloc long[4];
        lastAt.Fill(long.MinValue);
        var events3d = 0;
        scratch.Clear();
        foreach (var e in past)
        {
            if (e.Timestamp >= cutoff)
            {
                throw new ArgumentException("Every event passed as the past must be before the cutoff.", nameof(past));
            }

            var t = (int)e.Type;
            total[t]++;
            var age = cutoff - e.Timestamp;
            if (age <= Day)
            {
                lastDay[t]++;
            }

            if (age <= 3 * Day)
            {
                events3d++;
            }

            lastAt[t] = Math.Max(lastAt[t], e.Timestamp);
            scratch.Items.Add(e.ItemId);
            scratch.Categories.Add(e.CategoryId);
            scratch.Days.Add((age - 1) / Day);
            switch (e.Type)
            {
                case BehaviorType.Cart or BehaviorType.Favorite:
                    scratch.OpenSince[e.ItemId] = e.Timestamp;
                    break;
                case BehaviorType.Purchase:
                    scratch.OpenSince.Remove(e.ItemId);
                    break;
                default:
                    break;
            }
        }

        var openRecent = 0;
        foreach (var since in scratch.OpenSince.Values)
        {
            if (cutoff - since <= Day)
            {
                openRecent++;
            }
        }

        var all = past.Length;
        var lastEvent = past[^1].Timestamp;
        var k = 0;
        for (var t = 0; t < 4; t++)
        {
            row[k++] = total[t];
        }

        for (var t = 0; t < 4; t++)
        {
            row[k++] = lastDay[t];
        }

        row[k++] = events3d;
        row[k++] = Hours(cutoff, lastEvent);
        for (var t = 0; t < 4; t++)
        {
            row[k++] = lastAt[t] == long.MinValue ? (float)NeverHours : Hours(cutoff, lastAt[t]);
        }

        row[k++] = (float)((cutoff - past[0].Timestamp) / 3600.0);
        row[k++] = scratch.Items.Count;
        row[k++] = scratch.Categories.Count;
        row[k++] = scratch.Days.Count;
        row[k++] = scratch.OpenSince.Count;
        row[k++] = openRecent;
        row[k++] = total[(int)BehaviorType.Purchase] / (float)(total[(int)BehaviorType.View] + 1);
        row[k++] = (lastDay[0] + lastDay[1] + lastDay[2] + lastDay[3]) / (float)all;
    }

    private static float Hours(long cutoff, long at) => (float)Math.Min(NeverHours, (cutoff - at) / 3600.0);

    private static bool BuysIn(ReadOnlySpan<BehaviorEvent> future, long end)
    {
        foreach (var e in future)
        {
            if (e.Timestamp >= end)
            {
                return false;
            }

            if (e.Type == BehaviorType.Purchase)
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Scratch
    {
        public HashSet<long> Items { get; } = [];

        public HashSet<long> Categories { get; } = [];

        public HashSet<long> Days { get; } = [];

        public Dictionary<long, long> OpenSince { get; } = [];

        public void Clear()
        {
            Items.Clear();
            Categories.Clear();
            Days.Clear();
            OpenSince.Clear();
        }
    }
}
