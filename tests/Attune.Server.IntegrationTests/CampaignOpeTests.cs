using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Attune.Server.IntegrationTests;

/// <summary>Off-policy evaluation over the server's own decisions log (POST /v1/ope with a campaignId).</summary>
public sealed class CampaignOpeTests
{
    private const string UniformCampaign = """
        { "id": "hero", "placement": "home_hero", "channel": "web", "goal": "click",
          "policy": { "name": "fixed" },
          "variants": [ { "id": "a", "template": "A" }, { "id": "b", "template": "B" }, { "id": "c", "template": "C" } ] }
        """;

    [Fact]
    public async Task Ope_of_always_the_best_variant_from_uniform_logged_decisions_estimates_its_click_rate_within_its_interval()
    {
        await using var factory = new AttuneFactory();
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/v1/campaigns", Http.Json(UniformCampaign))).StatusCode);

        // Arrange: 600 decisions by the uniform policy; clicks planted at 30% for variant c and 10% for a and b,
        // spread evenly over each variant's decisions so the planted rates hold exactly whatever the split.
        var shown = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        var clicked = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        var events = new StringBuilder("[");
        for (var i = 0; i < 600; i++)
        {
            var response = await client.PostAsync("/v1/decide", Http.Json($$"""{ "userId": "u{{i}}", "placements": ["home_hero"] }"""));
            var decision = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("decisions")[0];
            var variant = decision.GetProperty("variantId").GetString()!;
            Assert.Equal(1.0 / 3, decision.GetProperty("propensity").GetDouble(), 9);
            var n = shown[variant]++;
            if (variant == "c" ? n % 10 < 3 : n % 10 == 0)
            {
                clicked[variant]++;
                events.Append(events.Length > 1 ? "," : "")
                    .Append($$"""{ "userId": "u{{i}}", "type": "click", "context": { "decisionId": "{{decision.GetProperty("decisionId").GetString()}}" } }""");
            }
        }

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/events", Http.Json(events.Append(']').ToString()))).StatusCode);

        // Act
        var ope = await client.PostAsync("/v1/ope", Http.Json("""{ "campaignId": "hero", "target": "variant:c" }"""));
        var body = await ope.Content.ReadFromJsonAsync<JsonElement>();

        // Assert
        Assert.Equal(HttpStatusCode.OK, ope.StatusCode);
        Assert.Equal(600, body.GetProperty("decisions").GetInt32());
        Assert.Equal(clicked.Values.Sum(), body.GetProperty("rewarded").GetInt32());
        var report = body.GetProperty("report");
        Assert.Equal(clicked.Values.Sum() / 600.0, report.GetProperty("loggedValue").GetDouble(), 9);
        // Three clicks in every ten decisions of c, plus up to three for the last partial ten: 0.30 to about 0.314
        // for the 150-250 decisions a uniform split gives it.
        var truth = (double)clicked["c"] / shown["c"];
        Assert.InRange(truth, 0.29, 0.32);
        foreach (var estimate in report.GetProperty("estimates").EnumerateArray())
        {
            var name = estimate.GetProperty("estimator").GetString();
            var value = estimate.GetProperty("value").GetDouble();
            var (lower, upper) = (estimate.GetProperty("lower").GetDouble(), estimate.GetProperty("upper").GetDouble());
            if (name is "ips" or "snips" or "dr")
            {
                Assert.True(lower <= truth && truth <= upper, $"{name} {value:F4} [{lower:F4}, {upper:F4}] vs the planted rate {truth:F4}");
                Assert.True(upper - lower < 0.2, $"{name} interval [{lower:F4}, {upper:F4}] is too wide to mean anything");
            }
        }

        // Self-normalized IPS of a deterministic target under uniform logging is the target variant's observed click rate.
        var snips = report.GetProperty("estimates").EnumerateArray().First(e => e.GetProperty("estimator").GetString() == "snips");
        Assert.Equal(truth, snips.GetProperty("value").GetDouble(), 9);
    }

    [Fact]
    public async Task Ope_of_an_unknown_campaign_or_one_without_decisions_is_a_problem_naming_it()
    {
        await using var factory = new AttuneFactory();
        using var client = factory.CreateClient();
        await client.PostAsync("/v1/campaigns", Http.Json(UniformCampaign));

        var unknown = await client.PostAsync("/v1/ope", Http.Json("""{ "campaignId": "nope", "target": "greedy" }"""));
        var empty = await client.PostAsync("/v1/ope", Http.Json("""{ "campaignId": "hero", "target": "greedy" }"""));
        var badTarget = await client.PostAsync("/v1/ope", Http.Json("""{ "campaignId": "hero", "target": "variant:zzz" }"""));
        var mixed = await client.PostAsync("/v1/ope", Http.Json("""{ "campaignId": "hero", "target": "greedy", "arms": 3 }"""));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nope", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("no logged decisions", (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badTarget.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
    }
}
