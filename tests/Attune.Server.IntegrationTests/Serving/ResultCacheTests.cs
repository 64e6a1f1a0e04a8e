using System.Net;
using Attune.Core;
using Attune.Engine.Recommendations;
using Microsoft.Extensions.DependencyInjection;

namespace Attune.Server.IntegrationTests.Serving;

/// <summary>
/// The per-user result cache answers a repeated request from the list ranked before, and never once anything the
/// list depends on changed: the user's events, the catalog, the model, the user's consent or their erasure.
/// </summary>
public sealed class ResultCacheTests : IDisposable
{
    private readonly AttuneFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private ResultCache Cache => _factory.Services.GetRequiredService<RecommendationService>().Results;

    [Fact]
    public async Task A_repeated_request_is_a_hit_with_the_same_items_and_a_new_recommendation_id()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var first = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=6");
        var hits = Cache.Hits;

        var second = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=6");
        var otherQuery = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=6&filter=price%20%3C%2060");

        Assert.Equal(hits + 1, Cache.Hits);
        Assert.Equal(first.ItemIds, second.ItemIds);
        Assert.Equal(first.Items.Select(i => i.GetRawText()), second.Items.Select(i => i.GetRawText()));
        Assert.NotEqual(first.RecommendationId, second.RecommendationId);
        Assert.Equal(first.ModelVersion, second.ModelVersion);
        Assert.Equal(hits + 1, Cache.Hits); // a different filter is another entry
        Assert.All(otherQuery.Items, i => Assert.True(i.GetProperty("score").GetDouble() >= 0));
    }

    [Fact]
    public async Task A_hit_pages_by_cursor_through_the_same_list_as_the_fresh_answer()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var fresh = await ReadAllAsync(http, await RecResponse.GetAsync(http, "/v1/recommendations/u3?n=5"));
        var hits = Cache.Hits;

        var cachedFirst = await RecResponse.GetAsync(http, "/v1/recommendations/u3?n=5");
        var cached = await ReadAllAsync(http, cachedFirst);

        Assert.Equal(hits + 1, Cache.Hits);
        Assert.True(fresh.Count > 10);
        Assert.Equal(fresh, cached);
        Assert.NotNull(cachedFirst.NextCursor);
    }

    [Fact]
    public async Task A_hit_is_recorded_as_served_by_online_metrics_under_its_own_id()
    {
        var (_, model) = await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        await RecResponse.GetAsync(http, "/v1/recommendations/u5?n=4");
        var service = _factory.Services.GetRequiredService<RecommendationService>();
        var listsBefore = service.Metrics.For(model.Version)!.ListsServed;

        var hit = await RecResponse.GetAsync(http, "/v1/recommendations/u5?n=4");

        Assert.Equal(listsBefore + 1, service.Metrics.For(model.Version)!.ListsServed);
        Assert.Equal((model.Version, (string?)null), service.Metrics.Describe(hit.RecommendationId));
    }

    [Fact]
    public async Task An_event_of_the_user_changes_the_next_answer()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var before = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=10");
        Assert.Equal(before.ItemIds, (await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=10")).ItemIds);

        var now = DateTimeOffset.UtcNow;
        await _factory.CreateAttuneClient().PostEventsAsync(
        [
            new Event("c-1", "u0", "hats-5", EventTypes.View, null, now.AddSeconds(-2), "live"),
            new Event("c-2", "u0", "hats-6", EventTypes.AddToCart, null, now.AddSeconds(-1), "live"),
        ]);
        var hits = Cache.Hits;
        var after = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=10");

        Assert.Equal(hits, Cache.Hits);
        Assert.NotEqual(before.ItemIds, after.ItemIds);
        Assert.Equal("hats", ServingShop.CategoryOf(after.ItemIds[0]));
        Assert.DoesNotContain("hats-6", after.ItemIds);
    }

    [Fact]
    public async Task An_item_made_unavailable_is_never_served_from_the_cache()
    {
        var (shop, _) = await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var before = await RecResponse.GetAsync(http, "/v1/recommendations/u1?n=10");
        Assert.Equal(before.ItemIds, (await RecResponse.GetAsync(http, "/v1/recommendations/u1?n=10")).ItemIds);
        var gone = before.ItemIds[0];
        var hits = Cache.Hits;

        await _factory.CreateAttuneClient().UpsertItemsAsync([shop.Items.Single(i => i.Id == gone) with { Available = false }]);
        var after = await RecResponse.GetAsync(http, "/v1/recommendations/u1?n=10");

        Assert.Equal(hits, Cache.Hits);
        Assert.DoesNotContain(gone, after.ItemIds);
        Assert.Equal(10, after.ItemIds.Count);
    }

    [Fact]
    public async Task Activating_another_model_invalidates_the_cached_lists()
    {
        var (shop, _) = await ServingShop.StartAsync(_factory, "v1");
        using var http = _factory.CreateClient();
        await RecResponse.GetAsync(http, "/v1/recommendations/u2?n=10");
        Assert.Equal("v1", (await RecResponse.GetAsync(http, "/v1/recommendations/u2?n=10")).ModelVersion);

        ServingShop.Activate(_factory, shop.Train("v2", seed: 7));
        var hits = Cache.Hits;
        var after = await RecResponse.GetAsync(http, "/v1/recommendations/u2?n=10");

        Assert.Equal(hits, Cache.Hits);
        Assert.Equal("v2", after.ModelVersion);
    }

    [Fact]
    public async Task Withdrawn_consent_invalidates_the_cached_personal_list()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        await RecResponse.GetAsync(http, "/v1/recommendations/u4?n=10");
        Assert.True((await RecResponse.GetAsync(http, "/v1/recommendations/u4?n=10")).Personalized);

        var put = await http.PutAsync("/v1/users/u4", Http.Json("""{"consent":{"personalization":false}}"""));
        var after = await RecResponse.GetAsync(http, "/v1/recommendations/u4?n=10");

        Assert.True(put.IsSuccessStatusCode);
        Assert.False(after.Personalized);
        Assert.Equal("consent", after.Fallback);
    }

    [Fact]
    public async Task Erasure_drops_the_cached_list()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var now = DateTimeOffset.UtcNow;
        await _factory.CreateAttuneClient().PostEventsAsync(
        [
            new Event("v-1", "visitor", "hats-5", EventTypes.View, null, now.AddSeconds(-2), "live"),
            new Event("v-2", "visitor", "hats-6", EventTypes.AddToCart, null, now.AddSeconds(-1), "live"),
        ]);
        await RecResponse.GetAsync(http, "/v1/recommendations/visitor?n=10");
        Assert.True((await RecResponse.GetAsync(http, "/v1/recommendations/visitor?n=10")).Personalized);
        var count = Cache.Count;

        var erase = await http.DeleteAsync("/v1/users/visitor");
        var countAfterErasure = Cache.Count;
        var after = await RecResponse.GetAsync(http, "/v1/recommendations/visitor?n=10");

        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        Assert.Equal(count - 1, countAfterErasure);
        Assert.False(after.Personalized);
        Assert.Equal("cold-start", after.Fallback);
    }

    [Fact]
    public async Task Requests_with_exploration_bypass_the_cache()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var (hits, bypassed) = (Cache.Hits, Cache.Bypassed);

        await RecResponse.GetAsync(http, "/v1/recommendations/u8?n=10&exploration=0.2");
        await RecResponse.GetAsync(http, "/v1/recommendations/u8?n=10&exploration=0.2");

        Assert.Equal(hits, Cache.Hits);
        Assert.Equal(bypassed + 2, Cache.Bypassed);
    }

    [Fact]
    public async Task A_ttl_of_zero_turns_the_cache_off()
    {
        using var factory = new AttuneFactory(new Dictionary<string, string?> { ["Attune:Serving:ResultCache:TtlSeconds"] = "0" });
        await ServingShop.StartAsync(factory);
        using var http = factory.CreateClient();
        var cache = factory.Services.GetRequiredService<RecommendationService>().Results;

        var first = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=10");
        var second = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=10");

        Assert.False(cache.Enabled);
        Assert.Equal(0, cache.Hits);
        Assert.Equal(2, cache.Bypassed);
        Assert.Equal(first.ItemIds, second.ItemIds);
    }

    private static async Task<List<string>> ReadAllAsync(HttpClient http, RecResponse first)
    {
        var all = new List<string>(first.ItemIds);
        var cursor = first.NextCursor;
        while (cursor is not null)
        {
            var next = await RecResponse.GetAsync(http, $"/v1/recommendations/u3?n=5&cursor={Uri.EscapeDataString(cursor)}");
            Assert.Equal(first.RecommendationId, next.RecommendationId);
            all.AddRange(next.ItemIds);
            cursor = next.NextCursor;
        }

        return all;
    }
}
