using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Attune.Core;

namespace Attune.Server.IntegrationTests.Serving;

public sealed class RecommendationTests : IDisposable
{
    private readonly AttuneFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_new_event_changes_the_very_next_recommendation_without_retraining()
    {
        var (_, model) = await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var before = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=10");
        Assert.True(before.Personalized);
        Assert.DoesNotContain(before.Items, i => i.GetProperty("reason").TryGetProperty("itemId", out var id) && id.GetString() == "hats-5");

        // u0 likes shoes; a burst of hat views must pull hats into the next list at once.
        var now = DateTimeOffset.UtcNow;
        await _factory.CreateAttuneClient().PostEventsAsync(
        [
            new Event("rt-1", "u0", "hats-5", EventTypes.View, null, now.AddSeconds(-3), "live"),
            new Event("rt-2", "u0", "hats-6", EventTypes.View, null, now.AddSeconds(-2), "live"),
            new Event("rt-3", "u0", "hats-7", EventTypes.AddToCart, null, now.AddSeconds(-1), "live"),
        ]);
        var after = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=10");
        var longer = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=40");

        Assert.Equal(model.Version, after.ModelVersion);
        Assert.True(after.ItemIds.Count(i => ServingShop.CategoryOf(i) == "hats") > before.ItemIds.Count(i => ServingShop.CategoryOf(i) == "hats"));
        Assert.Equal("hats", ServingShop.CategoryOf(after.ItemIds[0]));
        Assert.Contains(longer.Items, i => i.GetProperty("reason").GetProperty("text").GetString()!.StartsWith("because you viewed Hats model", StringComparison.Ordinal));
        Assert.DoesNotContain("hats-5", after.ItemIds); // seen
        Assert.DoesNotContain("hats-7", after.ItemIds);
    }

    [Fact]
    public async Task A_user_who_withdrew_consent_gets_non_personalized_results_and_is_told_so()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();

        var put = await http.PutAsync("/v1/users/u1", Http.Json("""{"consent":{"personalization":false}}"""));
        var page = await RecResponse.GetAsync(http, "/v1/recommendations/u1?n=10");
        var other = await RecResponse.GetAsync(http, "/v1/recommendations/u4?n=10");

        Assert.True(put.IsSuccessStatusCode);
        Assert.False(page.Personalized);
        Assert.Equal("consent", page.Fallback);
        Assert.All(page.Items, i => Assert.Contains(i.GetProperty("source").GetString(), new[] { "trending", "popularity" }));
        Assert.True(other.Personalized);
    }

    [Fact]
    public async Task A_user_without_history_gets_popular_items_of_the_context_category()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();

        var page = await RecResponse.GetAsync(http, "/v1/recommendations/stranger?n=5&context.category=bags");
        var anywhere = await RecResponse.GetAsync(http, "/v1/recommendations/stranger?n=5");

        Assert.False(page.Personalized);
        Assert.Equal("cold-start", page.Fallback);
        Assert.Equal(5, page.Items.Count);
        Assert.All(page.ItemIds, id => Assert.Equal("bags", ServingShop.CategoryOf(id)));
        Assert.Contains(page.Items, i => i.GetProperty("reason").GetProperty("text").GetString() == "popular in bags");
        Assert.Equal(5, anywhere.Items.Count);
    }

    [Fact]
    public async Task Filters_exclusions_and_rules_shape_the_list()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        await _factory.CreateAttuneClient().PutItemAsync(new Item("shoes-9", "Shoes model 9", ["shoes"], [], "gone", 110, Available: false));
        var plain = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=20");
        var excluded = plain.ItemIds[0];

        var shaped = await RecResponse.GetAsync(http,
            "/v1/recommendations/u0?n=20&filter=" + Uri.EscapeDataString("price < 120") +
            "&exclude=" + excluded +
            "&bury=" + Uri.EscapeDataString("tags contains \"sale\"") +
            "&pin=" + Uri.EscapeDataString("0:id == \"bags-3\""));

        var seen = new[] { "shoes-0", "shoes-1", "shoes-2", "shoes-3", "shoes-4", "shoes-5", "bags-0" };
        Assert.DoesNotContain(plain.ItemIds, seen.Contains);
        Assert.DoesNotContain("shoes-9", plain.ItemIds);
        Assert.Equal("bags-3", shaped.ItemIds[0]);
        Assert.DoesNotContain(excluded, shaped.ItemIds);
        Assert.All(shaped.ItemIds, id => Assert.True(int.Parse(id[(id.IndexOf('-', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture) < 10));
        // Buried sale items come after every other item (the pin excepted).
        var sale = shaped.ItemIds.Select((id, p) => (id, p)).Where(x => x.p > 0 && int.Parse(x.id[(x.id.IndexOf('-', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture) % 4 == 0).Select(x => x.p).ToList();
        var notSale = shaped.ItemIds.Select((id, p) => (id, p)).Where(x => x.p > 0 && int.Parse(x.id[(x.id.IndexOf('-', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture) % 4 != 0).Select(x => x.p).ToList();
        Assert.NotEmpty(sale);
        Assert.True(notSale.Max() < sale.Min());
    }

    [Fact]
    public async Task A_boost_moves_matching_items_up()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();

        var boosted = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=5&boost=" + Uri.EscapeDataString("100:category contains \"hats\""));

        Assert.All(boosted.ItemIds, id => Assert.Equal("hats", ServingShop.CategoryOf(id)));
    }

    [Theory]
    [InlineData("filter=price%20%3C", "filter")]
    [InlineData("filter=colour%20%3D%3D%20%22red%22", "filter")]
    [InlineData("boost=2:price%20%3E%3E%201", "boost[0]")]
    [InlineData("pin=x:id%20%3D%3D%20%22a%22", "pin[0]")]
    [InlineData("diversity=1.5", "diversity")]
    [InlineData("n=0", "n")]
    public async Task A_bad_parameter_is_a_400_problem_naming_it(string query, string field)
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();

        using var response = await http.GetAsync("/v1/recommendations/u0?" + query);
        var body = await RecResponse.JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, body.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains($"'{field}'", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_category_cap_holds_and_diversity_spreads_the_list()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();

        var capped = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=6&maxPerCategory=2&diversity=0.5");
        var relevance = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=6&diversity=1");

        Assert.Equal(6, capped.Items.Count);
        Assert.All(capped.ItemIds.GroupBy(ServingShop.CategoryOf), g => Assert.True(g.Count() <= 2, $"{g.Key}: {g.Count()}"));
        Assert.True(relevance.ItemIds.GroupBy(ServingShop.CategoryOf).Max(g => g.Count()) > 2);
    }

    [Fact]
    public async Task Paging_with_the_cursor_continues_the_list_without_repeats()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var first = await RecResponse.GetAsync(http, "/v1/recommendations/u2?n=4");
        var all = new List<string>(first.ItemIds);
        var cursor = first.NextCursor;
        var pages = 1;

        // Meanwhile the user acts; the open list must not change under the cursor.
        await _factory.CreateAttuneClient().PostEventsAsync([new Event("p-1", "u2", "shoes-11", EventTypes.View, null, DateTimeOffset.UtcNow)]);
        while (cursor is not null && pages < 50)
        {
            var next = await RecResponse.GetAsync(http, $"/v1/recommendations/u2?n=4&cursor={Uri.EscapeDataString(cursor)}");
            Assert.Equal(first.RecommendationId, next.RecommendationId);
            all.AddRange(next.ItemIds);
            cursor = next.NextCursor;
            pages++;
        }

        Assert.Null(cursor);
        Assert.True(pages >= 3);
        Assert.Equal(all.Count, all.Distinct().Count());
        using var tampered = await http.GetAsync("/v1/recommendations/u2?n=4&cursor=abc");
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
    }

    [Fact]
    public async Task A_new_item_gets_content_neighbours_at_once_and_seeds_its_viewers_lists()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();

        await _factory.CreateAttuneClient().PutItemAsync(new Item("hats-new", "Hats model fresh", ["hats"], [], "A fine hat in style 1", 55, Created: DateTimeOffset.UtcNow));
        using var response = await http.GetAsync("/v1/items/hats-new/similar?n=5");
        var body = await RecResponse.JsonAsync(response);
        await _factory.CreateAttuneClient().PostEventsAsync([new Event("n-1", "u0", "hats-new", EventTypes.View, null, DateTimeOffset.UtcNow)]);
        var page = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=10");
        var cold = await RecResponse.GetAsync(http, "/v1/recommendations/u3?n=20");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("content", body.GetProperty("source").GetString());
        var similar = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToList();
        Assert.Equal(5, similar.Count);
        Assert.All(similar, id => Assert.Equal("hats", ServingShop.CategoryOf(id)));
        Assert.Contains(page.Items, i => i.GetProperty("source").GetString() == "content"
            && i.GetProperty("reason").GetProperty("itemId").GetString() == "hats-new");
        // u3 likes shoes and glanced at a bag: the new hat is not for them, but "new in" works for a hat fan.
        var hatFan = await RecResponse.GetAsync(http, "/v1/recommendations/u2?n=20");
        Assert.DoesNotContain("hats-new", cold.ItemIds);
        Assert.Contains(hatFan.Items, i => i.GetProperty("itemId").GetString() == "hats-new" && i.GetProperty("reason").GetProperty("text").GetString() == "new in hats");
    }

    [Fact]
    public async Task Similar_popular_and_trending_answer_per_category()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();

        var similar = await RecResponse.JsonAsync(await http.GetAsync("/v1/items/bags-2/similar?n=4"));
        var popular = await RecResponse.JsonAsync(await http.GetAsync("/v1/popular?n=5&category=hats"));
        var trending = await RecResponse.JsonAsync(await http.GetAsync("/v1/trending?n=5"));
        using var missing = await http.GetAsync("/v1/items/nope/similar");

        Assert.Equal("item-knn", similar.GetProperty("source").GetString());
        Assert.All(similar.GetProperty("items").EnumerateArray(), i => Assert.Equal("bags", ServingShop.CategoryOf(i.GetProperty("itemId").GetString()!)));
        Assert.Equal(5, popular.GetProperty("items").GetArrayLength());
        Assert.All(popular.GetProperty("items").EnumerateArray(), i => Assert.Equal("hats", ServingShop.CategoryOf(i.GetProperty("itemId").GetString()!)));
        Assert.Equal(5, trending.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Many_users_can_be_served_in_one_request()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();

        using var response = await http.PostAsync("/v1/recommendations", Http.Json("""{"users":["u0","u1","stranger"],"n":3,"filter":"price < 100"}"""));
        var body = await RecResponse.JsonAsync(response);
        using var bad = await http.PostAsync("/v1/recommendations", Http.Json("""{"users":["u0",""],"n":3}"""));
        var badBody = await RecResponse.JsonAsync(bad);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["u0", "u1", "stranger"], results.Select(r => r.GetProperty("userId").GetString()));
        Assert.All(results, r => Assert.Equal(3, r.GetProperty("items").GetArrayLength()));
        Assert.False(results[2].GetProperty("personalized").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("users[1]", badBody.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Before_any_model_the_live_counters_answer_and_similar_items_are_unavailable()
    {
        var shop = new ServingShop();
        _ = _factory.CreateClient();
        await shop.LoadAsync(_factory);
        using var http = _factory.CreateClient();

        var page = await RecResponse.GetAsync(http, "/v1/recommendations/u0?n=5");
        using var similar = await http.GetAsync("/v1/items/bags-2/similar");

        Assert.Null(page.ModelVersion);
        Assert.Equal("no-model", page.Fallback);
        Assert.Equal(5, page.Items.Count);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, similar.StatusCode);
    }

    [Fact]
    public async Task Swapping_models_under_concurrent_load_fails_no_request()
    {
        var (shop, first) = await ServingShop.StartAsync(_factory);
        var second = shop.Train("v2", seed: 7);
        var failures = new ConcurrentBag<string>();
        var versions = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            using var http = _factory.CreateClient();
            var k = 0;
            while (!stop.IsCancellationRequested)
            {
                var user = (c * 7 + k++) % (ServingShop.Users + 5);
                using var response = await http.GetAsync($"/v1/recommendations/u{user}?n=5&maxPerCategory=3");
                if (!response.IsSuccessStatusCode)
                {
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    continue;
                }

                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                versions.AddOrUpdate(body.GetProperty("modelVersion").GetString()!, 1, (_, n) => n + 1);
            }
        })).ToList();

        for (var swap = 0; swap < 20; swap++)
        {
            await Task.Delay(50);
            ServingShop.Activate(_factory, swap % 2 == 0 ? second : first);
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.True(versions.ContainsKey("v1") && versions.ContainsKey("v2"), string.Join(", ", versions));
        Assert.True(versions.Values.Sum() > 40);
    }

    [Fact]
    public async Task Impressions_clicks_and_purchases_count_per_model_version_and_source()
    {
        var (_, model) = await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var page = await RecResponse.GetAsync(http, "/v1/recommendations/u5?n=4");
        var id = page.RecommendationId;
        var sources = page.Items.ToDictionary(i => i.GetProperty("itemId").GetString()!, i => i.GetProperty("source").GetString()!);
        var items = page.ItemIds;
        var context = new EventContext(RecommendationId: id);
        var now = DateTimeOffset.UtcNow;

        await _factory.CreateAttuneClient().PostEventsAsync(
        [
            .. items.Select((item, k) => new Event($"imp-{k}", "u5", item, EventTypes.Impression, null, now, Context: context)),
            new Event("clk-0", "u5", items[0], EventTypes.Click, null, now, Context: context),
            new Event("clk-1", "u5", items[1], EventTypes.Click, null, now, Context: context),
            new Event("buy-0", "u5", items[0], EventTypes.Purchase, 10, now, Context: context),
            new Event("other", "u5", items[2], EventTypes.Click, null, now),
        ]);
        using var response = await http.GetAsync($"/v1/models/{model.Version}/metrics");
        var metrics = await RecResponse.JsonAsync(response);
        using var unknown = await http.GetAsync("/v1/models/nope/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var total = metrics.GetProperty("total");
        Assert.Equal(4, total.GetProperty("impressions").GetInt64());
        Assert.Equal(2, total.GetProperty("clicks").GetInt64());
        Assert.Equal(1, total.GetProperty("conversions").GetInt64());
        Assert.Equal(0.5, total.GetProperty("ctr").GetDouble(), 6);
        Assert.Equal(0.25, total.GetProperty("conversionRate").GetDouble(), 6);
        Assert.Equal(1, metrics.GetProperty("listsServed").GetInt64());
        var bySource = metrics.GetProperty("bySource");
        Assert.Equal(4, bySource.EnumerateObject().Sum(s => s.Value.GetProperty("impressions").GetInt64()));
        Assert.Equal(1, bySource.GetProperty(sources[items[0]]).GetProperty("conversions").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
