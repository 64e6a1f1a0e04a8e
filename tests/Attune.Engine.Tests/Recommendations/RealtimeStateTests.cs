using Attune.Core;
using Attune.Engine.Realtime;
using Attune.Engine.Recommendations;
using Attune.TestSupport;

namespace Attune.Engine.Tests.Recommendations;

public sealed class RealtimeStateTests
{
    [Fact]
    public async Task Online_metrics_survive_a_restart_from_the_data_folder()
    {
        using var dir = new TempDirectory();
        var first = new OnlineMetrics(100, dir.Path);
        first.RecordServed("rec-1", "v1", [("a", "main"), ("b", "item-knn")]);
        first.OnAppended(
        [
            Feedback("a", EventTypes.Impression, "rec-1"),
            Feedback("b", EventTypes.Impression, "rec-1"),
            Feedback("b", EventTypes.Click, "rec-1"),
            Feedback("b", EventTypes.Purchase, "rec-1"),
            Feedback("a", EventTypes.Click, "unknown-list"),
        ]);
        await first.DisposeAsync();

        var second = new OnlineMetrics(100, dir.Path);
        second.OnAppended([Feedback("a", EventTypes.Click, "rec-1")]);
        var m = second.For("v1");
        await second.DisposeAsync();

        Assert.NotNull(m);
        Assert.Equal(1, m.ListsServed);
        Assert.Equal(new FeedbackCounts(2, 2, 1), m.Total);
        Assert.Equal(new FeedbackCounts(1, 1, 0), m.BySource["main"]);
        Assert.Equal(new FeedbackCounts(1, 1, 1), m.BySource["item-knn"]);
    }

    [Fact]
    public async Task The_metrics_ledger_forgets_the_least_recently_used_lists_beyond_its_capacity()
    {
        var metrics = new OnlineMetrics(2, directory: null);
        metrics.RecordServed("r1", "v1", [("a", "main")]);
        metrics.RecordServed("r2", "v1", [("a", "main")]);
        metrics.RecordServed("r3", "v1", [("a", "main")]);

        metrics.OnAppended([Feedback("a", EventTypes.Click, "r1"), Feedback("a", EventTypes.Click, "r3")]);

        Assert.Equal(2, metrics.Remembered);
        Assert.Equal(1, metrics.For("v1")!.Total.Clicks);
        await metrics.DisposeAsync();
    }

    [Fact]
    public void Hydrating_a_user_merges_events_observed_meanwhile_without_duplicates()
    {
        var activity = new UserActivity(capacity: 3);
        activity.Add(new RecentEvent(7, EventTypes.View, 1, 300, null));
        activity.Add(new RecentEvent(8, EventTypes.View, 1, 400, null));

        activity.Hydrate([new RecentEvent(1, EventTypes.View, 1, 100, null), new RecentEvent(2, EventTypes.View, 1, 200, null), new RecentEvent(7, EventTypes.View, 1, 300, null)]);

        Assert.True(activity.IsHydrated);
        Assert.Equal([2, 7, 8], activity.Snapshot().Select(e => e.Item));
    }

    [Fact]
    public void The_user_cache_evicts_the_least_recently_used_user()
    {
        var cache = new UserActivityCache(capacity: 2, historyLength: 5);
        var a = cache.GetOrAdd("a");
        cache.GetOrAdd("b");
        Assert.Same(a, cache.GetOrAdd("a"));

        cache.GetOrAdd("c");

        Assert.Equal(2, cache.Count);
        Assert.Same(a, cache.GetOrAdd("a"));
    }

    [Fact]
    public void Trending_favours_recent_interactions_and_popularity_counts_them_all()
    {
        var counters = new LiveCounters(TimeSpan.FromHours(1));
        var day = 86_400_000L;
        for (var k = 0; k < 10; k++)
        {
            counters.Add(0, 1, k);
        }

        counters.Add(1, 1, day);
        counters.Add(1, 1, day);
        counters.Add(2, -1, day);

        Assert.Equal([0, 1], counters.Top(trending: false, 5).Select(s => s.Item));
        Assert.Equal([1, 0], counters.Top(trending: true, 5).Select(s => s.Item));
        Assert.Equal([1], counters.Top(trending: true, 5, i => i != 0).Select(s => s.Item));
    }

    [Fact]
    public void Catalog_indices_stay_stable_and_snapshots_follow_changes()
    {
        var catalog = new LiveCatalog();
        var bare = catalog.Intern("x");
        catalog.Upsert([new Item("a", Categories: ["c"]), new Item("x", Price: 5)]);
        var first = catalog.Snapshot(TimeSpan.FromDays(1), DateTimeOffset.UtcNow);

        catalog.Remove("a");
        var second = catalog.Snapshot(TimeSpan.FromDays(1), DateTimeOffset.UtcNow);

        Assert.Equal(0, bare);
        Assert.Equal(bare, catalog.IndexOf("x"));
        Assert.Equal(5, first.Catalog[bare]!.Price);
        Assert.NotNull(first.Catalog[catalog.IndexOf("a")]);
        Assert.Null(second.Catalog[catalog.IndexOf("a")]);
        Assert.Same(second, catalog.Snapshot(TimeSpan.FromDays(1), DateTimeOffset.UtcNow));
    }

    private static Event Feedback(string item, string type, string recommendationId) =>
        new(null, "u", item, type, null, DateTimeOffset.UtcNow, Context: new EventContext(RecommendationId: recommendationId));
}
