using Attune.Engine.Options;
using Attune.Engine.Recommendations;
using Attune.Engine.Serving;
using Attune.Engine.Tests.Serving;

namespace Attune.Engine.Tests.Recommendations;

public class ResultCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CachedResult Entry(ResultCache cache, string query) =>
        new(query, [], [], [], new System.Runtime.CompilerServices.StrongBox<byte[]?>(), "v1", null, null, 0, null, 0, cache.ExpiresFromNow());

    [Fact]
    public void KeyOf_tells_apart_every_parameter_that_shapes_the_list()
    {
        var q = new RecommendationQuery("u", 10);
        string[] keys =
        [
            ResultCache.KeyOf(q),
            ResultCache.KeyOf(q with { Count = 11 }),
            ResultCache.KeyOf(q with { Filter = "price < 10" }),
            ResultCache.KeyOf(q with { Filter = "price < 1" }),
            ResultCache.KeyOf(q with { Category = "hats" }),
            ResultCache.KeyOf(q with { DiversityLambda = 0.5 }),
            ResultCache.KeyOf(q with { DiversityLambda = 0.5000001 }),
            ResultCache.KeyOf(q with { MaxPerCategory = 3 }),
            ResultCache.KeyOf(q with { ExplorationShare = 0.1 }),
            ResultCache.KeyOf(q with { Rules = [BusinessRule.Boost("price < 10", 2)] }),
            ResultCache.KeyOf(q with { Rules = [BusinessRule.Boost("price < 10", 3)] }),
            ResultCache.KeyOf(q with { Rules = [BusinessRule.Bury("price < 10")] }),
            ResultCache.KeyOf(q with { Rules = [BusinessRule.Pin("price < 10", 1)] }),
            ResultCache.KeyOf(q with { Rules = [BusinessRule.Pin("price < 10", 2)] }),
            ResultCache.KeyOf(q with { Exclude = ["a"] }),
            ResultCache.KeyOf(q with { Exclude = ["a", "b"] }),
            ResultCache.KeyOf(q with { Filter = "a|b" }),
            ResultCache.KeyOf(q with { Filter = "a", Category = "b" }),
        ];

        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void KeyOf_ignores_the_user_and_the_order_and_repeats_of_excluded_ids()
    {
        var q = new RecommendationQuery("u", 10, Exclude: ["b", "a", "b"]);

        Assert.Equal(ResultCache.KeyOf(q), ResultCache.KeyOf(q with { UserId = "other", Exclude = ["a", "b"] }));
    }

    [Fact]
    public void An_entry_expires_after_the_ttl()
    {
        var clock = new ManualClock(Start);
        var cache = new ResultCache(new ResultCacheOptions { TtlSeconds = 30 }, clock);
        Assert.True(cache.Add("u", Entry(cache, "q"), cache.Generation));

        clock.Now = Start.AddSeconds(29);
        var before = cache.Find("u", "q");
        clock.Now = Start.AddSeconds(30);
        var after = cache.Find("u", "q");

        Assert.NotNull(before);
        Assert.Null(after);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void An_entry_ranked_across_a_user_change_is_refused()
    {
        var cache = new ResultCache(new ResultCacheOptions(), new ManualClock(Start));
        var generation = cache.Generation;

        cache.Invalidate("someone");
        var added = cache.Add("u", Entry(cache, "q"), generation);

        Assert.False(added);
        Assert.Null(cache.Find("u", "q"));
        Assert.True(cache.Add("u", Entry(cache, "q"), cache.Generation));
    }

    [Fact]
    public void Invalidate_drops_only_that_users_entries()
    {
        var cache = new ResultCache(new ResultCacheOptions(), new ManualClock(Start));
        cache.Add("u", Entry(cache, "q1"), cache.Generation);
        cache.Add("u", Entry(cache, "q2"), cache.Generation);
        cache.Add("w", Entry(cache, "q1"), cache.Generation);

        cache.Invalidate("u");

        Assert.Null(cache.Find("u", "q1"));
        Assert.Null(cache.Find("u", "q2"));
        Assert.NotNull(cache.Find("w", "q1"));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void The_bounds_evict_the_least_recently_used_user_and_query()
    {
        var cache = new ResultCache(new ResultCacheOptions { MaxEntries = 4, MaxPerUser = 2 }, new ManualClock(Start));
        cache.Add("a", Entry(cache, "q1"), cache.Generation);
        cache.Add("a", Entry(cache, "q2"), cache.Generation);
        cache.Add("a", Entry(cache, "q3"), cache.Generation); // q1 replaced: two per user
        cache.Add("b", Entry(cache, "q1"), cache.Generation);
        cache.Add("c", Entry(cache, "q1"), cache.Generation);
        Assert.NotNull(cache.Find("a", "q2")); // a is now the most recently used

        cache.Add("d", Entry(cache, "q1"), cache.Generation); // five entries: b, the least recently used, goes

        Assert.Null(cache.Find("a", "q1"));
        Assert.Null(cache.Find("b", "q1"));
        Assert.NotNull(cache.Find("a", "q3"));
        Assert.NotNull(cache.Find("c", "q1"));
        Assert.NotNull(cache.Find("d", "q1"));
        Assert.Equal(4, cache.Count);
    }

    [Fact]
    public void A_zero_ttl_or_size_turns_the_cache_off()
    {
        var off = new ResultCache(new ResultCacheOptions { TtlSeconds = 0 }, new ManualClock(Start));
        var empty = new ResultCache(new ResultCacheOptions { MaxEntries = 0 }, new ManualClock(Start));

        Assert.False(off.Enabled);
        Assert.False(empty.Enabled);
        Assert.False(off.Add("u", Entry(off, "q"), off.Generation));
        Assert.Null(off.Find("u", "q"));
    }
}
