using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Attune.Core;

namespace Attune.Server.IntegrationTests.Serving;

/// <summary>The live service's in-memory history is user data: export lists it, erasure and withdrawn consent drop it.</summary>
public sealed class RecommendationPrivacyTests : IDisposable
{
    private readonly AttuneFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private async Task PostHatViewsAsync(string user)
    {
        var now = DateTimeOffset.UtcNow;
        await _factory.CreateAttuneClient().PostEventsAsync(
        [
            new Event($"{user}-1", user, "hats-5", EventTypes.View, null, now.AddSeconds(-3), "live"),
            new Event($"{user}-2", user, "hats-6", EventTypes.View, null, now.AddSeconds(-2), "live"),
            new Event($"{user}-3", user, "hats-7", EventTypes.AddToCart, null, now.AddSeconds(-1), "live"),
        ]);
    }

    [Fact]
    public async Task After_erasure_a_users_recommendations_show_no_trace_of_their_history()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        await PostHatViewsAsync("visitor");
        var before = await RecResponse.GetAsync(http, "/v1/recommendations/visitor?n=10");
        var exported = await http.GetFromJsonAsync<JsonElement>("/v1/users/visitor/export");

        var erase = await http.DeleteAsync("/v1/users/visitor");
        var after = await RecResponse.GetAsync(http, "/v1/recommendations/visitor?n=10");
        var stranger = await RecResponse.GetAsync(http, "/v1/recommendations/stranger?n=10");
        var exportedAfter = await http.GetFromJsonAsync<JsonElement>("/v1/users/visitor/export");

        Assert.True(before.Personalized);
        Assert.Equal(3, exported.GetProperty("recentActivity").GetArrayLength());
        Assert.Equal("hats-7", exported.GetProperty("recentActivity")[2].GetProperty("itemId").GetString());
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        Assert.False(after.Personalized);
        Assert.Equal("cold-start", after.Fallback);
        Assert.Equal(stranger.ItemIds, after.ItemIds);
        Assert.DoesNotContain(after.Items, i => i.GetProperty("reason").TryGetProperty("itemId", out _));
        Assert.Equal(JsonValueKind.Null, exportedAfter.GetProperty("recentActivity").ValueKind);
    }

    [Fact]
    public async Task Withdrawn_consent_drops_the_history_from_memory_and_a_new_grant_reads_it_back()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        await PostHatViewsAsync("shy");
        Assert.True((await RecResponse.GetAsync(http, "/v1/recommendations/shy?n=10")).Personalized);

        await http.PutAsync("/v1/users/shy", Http.Json("""{"consent":{"personalization":false}}"""));
        var withdrawn = await http.GetFromJsonAsync<JsonElement>("/v1/users/shy/export");
        await http.PutAsync("/v1/users/shy", Http.Json("""{"consent":{"personalization":true}}"""));
        var granted = await RecResponse.GetAsync(http, "/v1/recommendations/shy?n=10");

        Assert.Equal(JsonValueKind.Null, withdrawn.GetProperty("recentActivity").ValueKind);
        Assert.True(granted.Personalized);
        Assert.Equal("hats", ServingShop.CategoryOf(granted.ItemIds[0]));
    }
}
