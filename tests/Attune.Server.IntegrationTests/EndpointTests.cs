using System.Net;
using System.Text.Json;
using Attune.Core;
using Attune.Engine.Ingestion;

namespace Attune.Server.IntegrationTests;

public sealed class EndpointTests : IDisposable
{
    private readonly AttuneFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Health_and_ready_answer_200()
    {
        using var http = _factory.CreateClient();

        var health = await http.GetAsync("/health");
        var ready = await http.GetAsync("/ready");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("ready", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_single_event_is_accepted_and_counted_in_stats()
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync("/v1/events", Http.Json(
            """{"userId":"u1","itemId":"i1","type":"purchase","value":9.5,"timestamp":"2024-05-01T12:00:00Z","context":{"channel":"web"},"properties":{"coupon":"X","qty":2,"gift":true}}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
        var stats = await _factory.CreateAttuneClient().GetStatsAsync();
        Assert.Equal(1, stats.Events);
        Assert.Equal(1, stats.EventsByType["purchase"]);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero), stats.FirstEvent);
    }

    [Fact]
    public async Task Unix_seconds_timestamp_is_stored_as_that_instant()
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync("/v1/events", Http.Json("""{"userId":"u1","itemId":"i1","type":"view","timestamp":1714564800}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var export = await _factory.CreateAttuneClient().ExportUserAsync("u1");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1714564800), Assert.Single(export.Events).Timestamp);
    }

    [Fact]
    public async Task Event_without_timestamp_gets_server_time()
    {
        using var http = _factory.CreateClient();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await http.PostAsync("/v1/events", Http.Json("""{"userId":"u1","type":"search"}"""));

        var stored = Assert.Single((await _factory.CreateAttuneClient().ExportUserAsync("u1")).Events);
        Assert.InRange(stored.Timestamp, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(stored.ItemId);
    }

    [Fact]
    public async Task Posting_the_same_event_ids_twice_stores_them_once()
    {
        var client = _factory.CreateAttuneClient();
        var events = Enumerable.Range(0, 50)
            .Select(i => new Event($"e{i}", $"u{i % 5}", $"i{i % 7}", EventTypes.View, null, DateTimeOffset.UnixEpoch.AddDays(i)))
            .ToList();

        var first = await client.PostEventsAsync(events);
        var second = await client.PostEventsAsync(events);

        Assert.Equal((50, 0), (first.Accepted, first.Duplicates));
        Assert.Equal((0, 50), (second.Accepted, second.Duplicates));
        Assert.Equal(50, (await client.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Items_can_be_put_read_listed_and_deleted()
    {
        var client = _factory.CreateAttuneClient();
        var props = new Dictionary<string, JsonElement> { ["color"] = JsonDocument.Parse("\"red\"").RootElement };

        var put = await client.PutItemAsync(new Item("shoe", "Red shoe", ["shoes"], ["sale"], "A red shoe.", 49.9, Properties: props));
        var upserted = await client.UpsertItemsAsync([new Item("hat", "Hat"), new Item("bag", "Bag", Available: false)]);
        var read = await client.GetItemAsync("shoe");
        var page1 = await client.ListItemsAsync(limit: 2);
        var page2 = await client.ListItemsAsync(page1.NextCursor, limit: 2);
        var deleted = await client.DeleteItemAsync("hat");
        var deletedAgain = await client.DeleteItemAsync("hat");

        Assert.Equal("Red shoe", put.Title);
        Assert.Equal(2, upserted);
        Assert.NotNull(read);
        Assert.Equal(["shoes"], read.Categories);
        Assert.Equal(["sale"], read.Tags);
        Assert.Equal(49.9, read.Price);
        Assert.Equal("red", read.Properties["color"].GetString());
        Assert.Equal(["bag", "hat"], page1.Items.Select(i => i.Id));
        Assert.False(page1.Items[0].Available);
        Assert.Equal(["shoe"], page2.Items.Select(i => i.Id));
        Assert.Null(page2.NextCursor);
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.Null(await client.GetItemAsync("hat"));
    }

    [Fact]
    public async Task Put_item_with_a_different_id_in_the_body_is_refused()
    {
        using var http = _factory.CreateClient();

        var response = await http.PutAsync("/v1/items/a", Http.Json("""{"id":"b","title":"x"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("does not match", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await _factory.CreateAttuneClient().GetItemAsync("a"));
    }

    [Fact]
    public async Task Unknown_item_and_user_are_404_problems()
    {
        using var http = _factory.CreateClient();

        var item = await http.GetAsync("/v1/items/nope");
        var user = await http.GetAsync("/v1/users/nope");

        Assert.Equal(HttpStatusCode.NotFound, item.StatusCode);
        Assert.Equal("application/problem+json", item.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, user.StatusCode);
    }

    [Fact]
    public async Task Consent_change_is_stamped_and_restating_it_keeps_the_first_time()
    {
        var client = _factory.CreateAttuneClient();
        var attrs = new Dictionary<string, JsonElement> { ["tier"] = JsonDocument.Parse("\"gold\"").RootElement };

        var created = await client.PutUserAsync(new UserUpdate("u1", attrs, null, null));
        var granted = await client.PutUserAsync(new UserUpdate("u1", null, null, true));
        await Task.Delay(20);
        var restated = await client.PutUserAsync(new UserUpdate("u1", null, null, true));
        var withdrawn = await client.PutUserAsync(new UserUpdate("u1", null, false, null));

        Assert.True(created.Consent.Personalization.Granted);
        Assert.Null(created.Consent.Marketing.At);
        Assert.True(granted.Consent.Marketing.Granted);
        Assert.NotNull(granted.Consent.Marketing.At);
        Assert.Equal(granted.Consent.Marketing.At, restated.Consent.Marketing.At);
        Assert.False(withdrawn.Consent.Personalization.Granted);
        Assert.NotNull(withdrawn.Consent.Personalization.At);
        Assert.Equal("gold", withdrawn.Attributes["tier"].GetString());
        var read = await client.GetUserAsync("u1");
        Assert.Equal(withdrawn.Consent, read!.Consent);
    }

    [Fact]
    public async Task Erasing_a_user_leaves_nothing_about_them()
    {
        var client = _factory.CreateAttuneClient();
        await client.PutUserAsync(new UserUpdate("gone", null, true, true));
        await client.PostEventsAsync(
        [
            new Event("g1", "gone", "i1", EventTypes.View, null, DateTimeOffset.UnixEpoch.AddDays(1)),
            new Event("g2", "gone", "i2", EventTypes.Purchase, 3, DateTimeOffset.UnixEpoch.AddDays(2)),
            new Event("k1", "kept", "i1", EventTypes.View, null, DateTimeOffset.UnixEpoch.AddDays(3)),
        ]);
        var before = await client.GetStatsAsync();
        using var http = _factory.CreateClient();

        var response = await http.DeleteAsync("/v1/users/gone");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var export = await client.ExportUserAsync("gone");
        Assert.Null(export.User);
        Assert.Empty(export.Events);
        Assert.Null(await client.GetUserAsync("gone"));
        var after = await client.GetStatsAsync();
        Assert.Equal(3, before.Events);
        Assert.Equal(1, after.Events);
        Assert.Equal(1, after.Users);
        Assert.False(after.EventsByType.ContainsKey(EventTypes.Purchase));
        Assert.Single((await client.ExportUserAsync("kept")).Events);
    }

    [Fact]
    public async Task Export_lists_the_user_and_their_events()
    {
        var client = _factory.CreateAttuneClient();
        await client.PutUserAsync(new UserUpdate("u1", null, null, true));
        await client.PostEventsAsync([new Event("a", "u1", "i1", EventTypes.Like, null, DateTimeOffset.UnixEpoch.AddDays(1))]);

        var export = await client.ExportUserAsync("u1");

        Assert.Equal("u1", export.User!.Id);
        Assert.Equal("a", Assert.Single(export.Events).Id);
    }

    [Fact]
    public async Task Event_with_every_field_round_trips_through_client_server_and_store()
    {
        var client = _factory.CreateAttuneClient();
        var props = new Dictionary<string, JsonElement>
        {
            ["s"] = JsonDocument.Parse("\"x\"").RootElement,
            ["n"] = JsonDocument.Parse("2.5").RootElement,
            ["b"] = JsonDocument.Parse("true").RootElement,
        };
        var sent = new Event("rt-1", "ü-user", "item/1", "custom_type", 4.25, new DateTimeOffset(2024, 2, 29, 23, 59, 58, 123, TimeSpan.Zero),
            "sess", new EventContext("app", "ios", "/home?q=1", "spring", "rec-9"), props);

        await client.PostEventsAsync([sent]);
        var stored = Assert.Single((await client.ExportUserAsync("ü-user")).Events);

        Assert.Equal((sent.Id, sent.UserId, sent.ItemId, sent.Type, sent.Value, sent.Timestamp, sent.SessionId, sent.Context),
            (stored.Id, stored.UserId, stored.ItemId, stored.Type, stored.Value, stored.Timestamp, stored.SessionId, stored.Context));
        Assert.Equal(["b", "n", "s"], stored.Properties!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2.5, stored.Properties["n"].GetDouble());
    }

    [Fact]
    public async Task OpenApi_document_names_every_operation()
    {
        using var http = _factory.CreateClient();

        var json = await http.GetStringAsync("/openapi/v1.json");

        foreach (var name in new[] { "PostEvents", "PutItem", "PostItems", "GetItem", "ListItems", "DeleteItem", "PutUser", "GetUser", "EraseUser", "ExportUser", "GetStats", "Health", "Ready" })
        {
            Assert.Contains($"\"operationId\": \"{name}\"", json, StringComparison.Ordinal);
        }
    }
}
