using System.Net;
using System.Text.Json;
using Attune.Engine.Profiles;
using Attune.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Attune.Server.IntegrationTests;

public sealed class ProfileEndpointTests : IDisposable
{
    private readonly AttuneFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Profile_reflects_posted_events_at_once_and_equals_a_rebuild_from_the_store()
    {
        using var http = _factory.CreateClient();
        await SeedAsync(http);

        var profile = await GetJsonAsync(http, "/v1/users/fan/profile");
        var profiles = _factory.Services.GetRequiredService<ProfileService>();
        var before = profiles.Get("fan", DateTimeOffset.Parse("2026-01-10T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture))!;
        await profiles.RebuildAsync(_factory.Services.GetRequiredService<StoreHost>().Store);
        var after = profiles.Get("fan", before.AsOf)!;

        Assert.Equal(2, profile.GetProperty("orders").GetInt32());
        Assert.Equal(80, profile.GetProperty("revenue").GetDouble());
        Assert.Equal("sports", profile.GetProperty("interests").GetProperty("category").GetProperty("top")[0].GetProperty("key").GetString());
        Assert.Equal("app", profile.GetProperty("preferredChannel").GetString());
        Assert.Equal(before.EventCount, after.EventCount);
        Assert.Equal(before.Interest("category", "sports"), after.Interest("category", "sports"), 12);
        Assert.Equal(before.Rfm, after.Rfm);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/users/nobody/profile")).StatusCode);
    }

    [Fact]
    public async Task A_bad_segment_rule_is_a_400_naming_the_field_and_the_column()
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync("/v1/segments", Http.Json("""{"name":"x","rule":"orders >= 1 and rfm.recency_dayz < 3"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("column 17", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("rfm.recency_days", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("rule", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        var unknown = await http.PostAsync("/v1/segments", Http.Json("""{"name":"x","rules":"orders > 1"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/v1/segments/preview", Http.Json("""{"rule":42}"""))).StatusCode);
    }

    [Fact]
    public async Task Segments_are_created_previewed_listed_paged_exported_and_tracked()
    {
        using var http = _factory.CreateClient();
        await SeedAsync(http);

        var preview = await PostJsonAsync(http, "/v1/segments/preview", """{"rule":"interests.category[\"sports\"] > 0.3"}""");
        var created = await http.PostAsync("/v1/segments", Http.Json("""{"name":"sports-fans","rule":"interests.category[\"sports\"] > 0.3","description":"likes sports"}"""));
        var members = await GetJsonAsync(http, "/v1/segments/sports-fans/members?limit=1");
        var next = await GetJsonAsync(http, $"/v1/segments/sports-fans/members?limit=1&cursor={members.GetProperty("nextCursor").GetString()}");
        var csv = await http.GetStringAsync("/v1/segments/sports-fans/export");
        var history = await GetJsonAsync(http, "/v1/segments/sports-fans/history");
        var list = await GetJsonAsync(http, "/v1/segments");
        var mine = await GetJsonAsync(http, "/v1/users/fan/segments");

        Assert.Equal(2, preview.GetProperty("size").GetInt32());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["browser"], members.GetProperty("userIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["fan"], next.GetProperty("userIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, next.GetProperty("nextCursor").ValueKind);
        Assert.StartsWith("user_id,", csv, StringComparison.Ordinal);
        Assert.Equal(3, csv.TrimEnd('\n').Split('\n').Length);
        Assert.Equal(2, history.GetProperty("sizes")[0].GetProperty("size").GetInt32());
        Assert.Equal("sports-fans", list.GetProperty("segments")[0].GetProperty("name").GetString());
        Assert.Equal("sports-fans", mine.GetProperty("segments")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/v1/segments/sports-fans/members?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/segments/nope/members")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/v1/segments/sports-fans")).StatusCode);
    }

    [Fact]
    public async Task Erasing_a_user_leaves_no_profile_and_the_export_carried_it_before()
    {
        using var http = _factory.CreateClient();
        await SeedAsync(http);

        var export = await GetJsonAsync(http, "/v1/users/fan/export");
        var erased = await http.DeleteAsync("/v1/users/fan");
        var after = await http.GetAsync("/v1/users/fan/profile");
        var exportAfter = await GetJsonAsync(http, "/v1/users/fan/export");

        Assert.Equal("fan", export.GetProperty("profile").GetProperty("userId").GetString());
        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(JsonValueKind.Null, exportAfter.GetProperty("profile").ValueKind);
        Assert.Null(_factory.Services.GetRequiredService<ProfileService>().Get("fan"));
    }

    [Fact]
    public async Task A_user_who_refuses_personalization_keeps_no_profile()
    {
        using var http = _factory.CreateClient();
        await SeedAsync(http);

        var put = await http.PutAsync("/v1/users/fan", Http.Json("""{"consent":{"personalization":false}}"""));
        var profile = await GetJsonAsync(http, "/v1/users/fan/profile");
        await http.PostAsync("/v1/events", Http.Json("""{"userId":"fan","itemId":"s1","type":"view","timestamp":"2026-01-09T12:00:00Z"}"""));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.False(profile.GetProperty("personalization").GetBoolean());
        Assert.False(profile.TryGetProperty("interests", out _));
        Assert.True(_factory.Services.GetRequiredService<ProfileService>().IsSuppressed("fan"));
        var stats = await GetJsonAsync(http, "/v1/stats");
        Assert.Equal(1, stats.GetProperty("quality").GetProperty("consentSkipped").GetInt64());
    }

    [Fact]
    public async Task Stats_count_bots_and_duplicates_in_a_quality_section()
    {
        using var http = _factory.CreateClient();

        await http.PostAsync("/v1/events", Http.Json("""
            [{"userId":"spider","itemId":"a","type":"view","timestamp":"2026-01-01T00:00:00Z","properties":{"user_agent":"Mozilla/5.0 (compatible; bingbot/2.0)"}},
             {"userId":"h","itemId":"a","type":"view","timestamp":"2026-01-01T00:00:00Z"},
             {"userId":"h","itemId":"a","type":"view","timestamp":"2026-01-01T00:00:00.5Z"}]
            """));
        var stats = await GetJsonAsync(http, "/v1/stats");

        var q = stats.GetProperty("quality");
        Assert.Equal(3, stats.GetProperty("events").GetInt64());
        Assert.Equal(1, q.GetProperty("botUsers").GetInt64());
        Assert.Equal(1, q.GetProperty("botEvents").GetInt64());
        Assert.Equal(1, q.GetProperty("duplicatesRemoved").GetInt64());
        Assert.Equal(1, q.GetProperty("eventsProfiled").GetInt64());
        Assert.Equal(1, q.GetProperty("sessions").GetInt64());
        Assert.True((await GetJsonAsync(http, "/v1/users/spider/profile")).GetProperty("bot").GetBoolean());
    }

    private static async Task SeedAsync(HttpClient http)
    {
        var items = await http.PostAsync("/v1/items", Http.Json("""
            [{"id":"s1","categories":["sports"]},{"id":"s2","categories":["sports","outdoor"]},{"id":"b1","categories":["books"]}]
            """));
        Assert.Equal(HttpStatusCode.OK, items.StatusCode);
        var events = await http.PostAsync("/v1/events", Http.Json("""
            [{"userId":"fan","itemId":"s1","type":"purchase","value":50,"timestamp":"2026-01-08T10:00:00Z","context":{"channel":"app","device":"mobile"}},
             {"userId":"fan","itemId":"s2","type":"purchase","value":30,"timestamp":"2026-01-07T10:00:00Z","context":{"channel":"app"}},
             {"userId":"fan","itemId":"b1","type":"view","timestamp":"2026-01-07T10:05:00Z","context":{"channel":"web"}},
             {"userId":"reader","itemId":"b1","type":"purchase","value":20,"timestamp":"2026-01-01T10:00:00Z"},
             {"userId":"browser","itemId":"s1","type":"view","timestamp":"2026-01-09T10:00:00Z"}]
            """));
        Assert.Equal(HttpStatusCode.Accepted, events.StatusCode);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string url)
    {
        var response = await http.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient http, string url, string body)
    {
        var response = await http.PostAsync(url, Http.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
