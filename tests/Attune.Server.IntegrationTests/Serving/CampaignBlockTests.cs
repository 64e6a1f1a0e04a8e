using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Attune.Server.IntegrationTests.Serving;

public sealed class CampaignBlockTests : IDisposable
{
    private const string Campaign = """
        {
          "id": "picks", "placement": "home_banner", "channel": "web", "goal": "click", "policy": { "name": "thompson" },
          "variants": [
            { "id": "a", "template": "{{#recommendations n=3 category=\"hats\"}}[{{item.id}}]{{else}}none{{/recommendations}}" }
          ]
        }
        """;

    private readonly AttuneFactory _factory = new(new Dictionary<string, string?> { ["Attune:Campaigns:FatigueAfterIgnored"] = "0" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_recommendations_block_in_a_campaign_template_renders_items_from_the_live_model()
    {
        await ServingShop.StartAsync(_factory);
        using var http = _factory.CreateClient();
        var created = await http.PostAsync("/v1/campaigns", Http.Json(Campaign));

        var response = await http.PostAsync("/v1/decide", Http.Json("""{ "userId": "u0", "placements": ["home_banner"] }"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var content = body.GetProperty("decisions")[0].GetProperty("content").GetString()!;
        var ids = content.Split(['[', ']'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, ids.Length);
        Assert.All(ids, id => Assert.StartsWith("hats-", id, StringComparison.Ordinal));
    }
}
