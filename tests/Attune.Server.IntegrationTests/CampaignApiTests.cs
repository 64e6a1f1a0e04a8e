using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Attune.TestSupport;

namespace Attune.Server.IntegrationTests;

public sealed class CampaignApiTests
{
    private const string Banner = """
        { "id": "spring", "placement": "home_banner", "channel": "web", "goal": "click", "priority": 5,
          "audience": "attributes.country == \"DE\"",
          "policy": { "name": "linucb", "options": { "alpha": 0.5 } },
          "variants": [
            { "id": "a", "template": "Hallo {{user.first_name | default: \"du\"}}! {{variant.cta | raw}}", "params": { "cta": "<b>Jetzt</b>" } },
            { "id": "b", "template": "Servus {{user.first_name | default: \"du\"}}" } ] }
        """;

    [Fact]
    public async Task Campaigns_are_created_listed_read_replaced_and_deleted()
    {
        await using var factory = new AttuneFactory();
        using var client = factory.CreateClient();

        var created = await client.PostAsync("/v1/campaigns", Http.Json(Banner));
        var duplicate = await client.PostAsync("/v1/campaigns", Http.Json(Banner));
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/campaigns");
        var replaced = await client.PutAsync("/v1/campaigns/spring", Http.Json(Banner.Replace("\"priority\": 5", "\"priority\": 7", StringComparison.Ordinal)));
        var read = await client.GetFromJsonAsync<JsonElement>("/v1/campaigns/spring");
        var deleted = await client.DeleteAsync("/v1/campaigns/spring");
        var gone = await client.GetAsync("/v1/campaigns/spring");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("spring", list.GetProperty("campaigns")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(7, read.GetProperty("campaign").GetProperty("priority").GetInt32());
        Assert.True(read.GetProperty("stats").GetProperty("contextual").GetBoolean());
        Assert.StartsWith("linucb:alpha=0.5", read.GetProperty("stats").GetProperty("policy").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_bad_template_is_refused_naming_the_variant_line_and_column()
    {
        await using var factory = new AttuneFactory();
        using var client = factory.CreateClient();
        var body = Banner.Replace("\"Servus {{user.first_name | default: \\\"du\\\"}}\"", "\"Servus\\n{{user.first_name | shout}}\"", StringComparison.Ordinal);

        var response = await client.PostAsync("/v1/campaigns", Http.Json(body));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("variants[1].template", error.GetProperty("field").GetString());
        Assert.StartsWith("line 2, column 21: unknown filter 'shout'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/campaigns/spring")).StatusCode);
    }

    [Theory]
    [InlineData("""{ "id": "x", "placement": "p", "variants": [ { "id": "a", "template": "t" } ], "colour": "red" }""", "colour")]
    [InlineData("""{ "id": "x", "placement": "p", "variants": [ { "id": "a", "template": "t" } ], "priority": "high" }""", "priority")]
    [InlineData("""{ "id": "x", "placement": "p", "variants": [] }""", "variants")]
    [InlineData("""{ "id": "x", "placement": "p", "audience": "attributes.age >", "variants": [ { "id": "a", "template": "t" } ] }""", "audience")]
    public async Task Invalid_campaigns_get_problem_details_naming_the_field(string body, string field)
    {
        await using var factory = new AttuneFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/v1/campaigns", Http.Json(body));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, problem.GetProperty("errors")[0].GetProperty("field").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_renders_logs_and_learns_from_a_click_carrying_the_decision_id()
    {
        await using var factory = new AttuneFactory(new Dictionary<string, string?> { ["Attune:Campaigns:FatigueAfterIgnored"] = "0" });
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/v1/campaigns", Http.Json(Banner))).StatusCode);
        await client.PutAsync("/v1/users/u1", Http.Json("""{ "attributes": { "country": "DE", "first_name": "<i>Jo</i>" } }"""));
        await client.PutAsync("/v1/users/u2", Http.Json("""{ "attributes": { "country": "FR" } }"""));

        var response = await client.PostAsync("/v1/decide", Http.Json("""{ "userId": "u1", "placements": ["home_banner", "push"], "context": { "device": "mobile" } }"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var outside = await client.PostAsync("/v1/decide", Http.Json("""{ "userId": "u2", "placements": ["home_banner"] }"""));
        var outsideBody = await outside.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var banner = body.GetProperty("decisions")[0];
        var decisionId = banner.GetProperty("decisionId").GetString()!;
        var content = banner.GetProperty("content").GetString()!;
        Assert.Contains("&lt;i&gt;Jo&lt;/i&gt;", content, StringComparison.Ordinal);
        Assert.True(banner.GetProperty("variantId").GetString() == "b" || content.EndsWith("<b>Jetzt</b>", StringComparison.Ordinal));
        Assert.InRange(banner.GetProperty("propensity").GetDouble(), 1e-9, 1);
        Assert.Equal("no_campaign", body.GetProperty("decisions")[1].GetProperty("reason").GetString());
        Assert.Equal("not_in_audience", outsideBody.GetProperty("decisions")[0].GetProperty("reason").GetString());

        // Act: the click comes back as an ordinary event.
        var click = await client.PostAsync("/v1/events", Http.Json($$"""{ "userId": "u1", "type": "click", "context": { "decisionId": "{{decisionId}}" } }"""));
        var stats = await client.GetFromJsonAsync<JsonElement>("/v1/campaigns/spring");
        var export = await client.GetFromJsonAsync<JsonElement>("/v1/users/u1/export");

        Assert.Equal(HttpStatusCode.Accepted, click.StatusCode);
        var variants = stats.GetProperty("stats").GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(1, variants.Sum(v => v.GetProperty("decisions").GetInt64()));
        Assert.Equal(1.0, variants.Sum(v => v.GetProperty("rewards").GetDouble()));
        Assert.Equal(decisionId, export.GetProperty("events")[0].GetProperty("context").GetProperty("decisionId").GetString());
    }

    [Theory]
    [InlineData("""{ "placements": ["home_banner"] }""", "userId")]
    [InlineData("""{ "userId": "u1", "placements": [] }""", "placements")]
    [InlineData("""{ "userId": "u1", "placements": ["ok", ""] }""", "placements[1]")]
    [InlineData("""{ "userId": "u1", "placements": ["ok"], "context": { "nested": { "a": 1 } } }""", "context.nested")]
    [InlineData("""{ "userId": "u1", "placements": ["ok"], "extra": 1 }""", "extra")]
    public async Task Invalid_decide_requests_get_problem_details_naming_the_field(string body, string field)
    {
        await using var factory = new AttuneFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/v1/decide", Http.Json(body));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Decide_takes_the_ingest_scope_and_campaigns_the_admin_scope()
    {
        await using var factory = new AttuneFactory(withKeys: true);
        using var ingest = factory.CreateClient(AttuneFactory.IngestKey);

        var decide = await ingest.PostAsync("/v1/decide", Http.Json("""{ "userId": "u1", "placements": ["home_banner"] }"""));
        var create = await ingest.PostAsync("/v1/campaigns", Http.Json(Banner));

        Assert.Equal(HttpStatusCode.OK, decide.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
    }

    [Fact]
    public async Task Policy_state_and_campaigns_survive_a_server_restart()
    {
        using var dir = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Attune:Campaigns:FatigueAfterIgnored"] = "0" };
        JsonElement before;
        string openDecision;
        await using (var factory = new AttuneFactory(settings, dataDir: dir.Path))
        {
            using var client = factory.CreateClient();
            await client.PostAsync("/v1/campaigns", Http.Json(Banner.Replace("\"audience\": \"attributes.country == \\\"DE\\\"\",", string.Empty, StringComparison.Ordinal)));
            for (var i = 0; i < 10; i++)
            {
                var d = await client.PostAsync("/v1/decide", Http.Json($$"""{ "userId": "u{{i}}", "placements": ["home_banner"] }"""));
                var id = (await d.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("decisions")[0].GetProperty("decisionId").GetString();
                if (i % 2 == 0)
                {
                    await client.PostAsync("/v1/events", Http.Json($$"""{ "userId": "u{{i}}", "type": "click", "context": { "decisionId": "{{id}}" } }"""));
                }
            }

            var last = await client.PostAsync("/v1/decide", Http.Json("""{ "userId": "last", "placements": ["home_banner"] }"""));
            openDecision = (await last.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("decisions")[0].GetProperty("decisionId").GetString()!;
            before = (await client.GetFromJsonAsync<JsonElement>("/v1/campaigns/spring")).GetProperty("stats");
        }

        await using var restarted = new AttuneFactory(settings, dataDir: dir.Path);
        using var again = restarted.CreateClient();
        var after = (await again.GetFromJsonAsync<JsonElement>("/v1/campaigns/spring")).GetProperty("stats");
        await again.PostAsync("/v1/events", Http.Json($$"""{ "userId": "last", "type": "click", "context": { "decisionId": "{{openDecision}}" } }"""));
        var rewarded = (await again.GetFromJsonAsync<JsonElement>("/v1/campaigns/spring")).GetProperty("stats");

        Assert.Equal(before.GetRawText(), after.GetRawText());
        Assert.Equal(5.0, Rewards(before));
        Assert.Equal(6.0, Rewards(rewarded));
    }

    private static double Rewards(JsonElement stats) =>
        stats.GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("rewards").GetDouble());
}
