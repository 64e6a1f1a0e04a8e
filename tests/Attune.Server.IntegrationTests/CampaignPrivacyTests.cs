using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Attune.Engine.Campaigns;
using Attune.Server.Endpoints;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Attune.Server.IntegrationTests;

public sealed class CampaignPrivacyTests
{
    private const string Campaign = """
        { "id": "promo", "placement": "home_banner", "channel": "web", "goal": "click",
          "policy": { "name": "linucb" },
          "variants": [ { "id": "a", "template": "Hi {{user.first_name}}" }, { "id": "b", "template": "Hello {{user.first_name}}" } ] }
        """;

    [Fact]
    public async Task Erasing_a_user_removes_their_decisions_and_rewards_from_the_decisions_log_and_the_export()
    {
        await using var factory = new AttuneFactory(new Dictionary<string, string?> { ["Attune:Campaigns:FatigueAfterIgnored"] = "0" });
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/v1/campaigns", Http.Json(Campaign))).StatusCode);
        await client.PutAsync("/v1/users/gone-user", Http.Json("""{ "attributes": { "first_name": "Gina" } }"""));
        await client.PutAsync("/v1/users/kept-user", Http.Json("""{ "attributes": { "first_name": "Kim" } }"""));
        var goneDecisions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            goneDecisions.Add(await DecideAsync(client, "gone-user"));
        }

        var keptDecision = await DecideAsync(client, "kept-user");
        await client.PostAsync("/v1/events", Http.Json($$"""{ "userId": "gone-user", "type": "click", "context": { "decisionId": "{{goneDecisions[0]}}" } }"""));
        await client.PostAsync("/v1/events", Http.Json($$"""{ "userId": "kept-user", "type": "click", "context": { "decisionId": "{{keptDecision}}" } }"""));
        var decisions = factory.Services.GetRequiredService<DecisionService>();
        await decisions.Log.FlushAsync();
        var exportBefore = await client.GetFromJsonAsync<JsonElement>("/v1/users/gone-user/export");
        var logBefore = LogText(decisions.Log.DirectoryPath);

        var erased = await client.DeleteAsync("/v1/users/gone-user");

        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        var exported = exportBefore.GetProperty("campaigns").GetProperty("decisions");
        Assert.Equal(goneDecisions, exported.EnumerateArray().Select(d => d.GetProperty("decisionId").GetString()));
        Assert.Equal("click", exported[0].GetProperty("reward").GetProperty("eventType").GetString());
        Assert.Contains("gone-user", logBefore, StringComparison.Ordinal);
        Assert.Contains(goneDecisions[0], logBefore, StringComparison.Ordinal);

        // The files themselves: no line names the user or one of their decisions (the reward line names only the decision).
        var logAfter = LogText(decisions.Log.DirectoryPath);
        Assert.DoesNotContain("gone-user", logAfter, StringComparison.Ordinal);
        foreach (var id in goneDecisions)
        {
            Assert.DoesNotContain(id, logAfter, StringComparison.Ordinal);
        }

        Assert.Contains(keptDecision, logAfter, StringComparison.Ordinal);
        Assert.Equal(2, logAfter.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var exportAfter = await client.GetFromJsonAsync<JsonElement>("/v1/users/gone-user/export");
        Assert.Empty(exportAfter.GetProperty("campaigns").GetProperty("decisions").EnumerateArray());
        Assert.Single((await client.GetFromJsonAsync<JsonElement>("/v1/users/kept-user/export")).GetProperty("campaigns").GetProperty("decisions").EnumerateArray());

        // A click on an erased decision no longer earns a reward: the pending decision is gone too.
        await client.PostAsync("/v1/events", Http.Json($$"""{ "userId": "gone-user", "type": "click", "context": { "decisionId": "{{goneDecisions[1]}}" } }"""));
        await decisions.Log.FlushAsync();
        Assert.DoesNotContain(goneDecisions[1], LogText(decisions.Log.DirectoryPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_decide_answer_is_what_the_serializer_writes_with_the_api_options()
    {
        await using var factory = new AttuneFactory();
        var options = factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        IReadOnlyList<Decision> decisions =
        [
            new Decision("home", "0194a0b3c1d27e8f9a0b1c2d3e4f5a6b", "promo", "a", 1.0 / 3, "<b>Hi</b> \"you\" & ü \u2028", true, ["i1", "i<2>"], null, null),
            Decision.Nothing("push", NoContentReasons.FrequencyCap, "at most 2 per 1.00:00:00 on push; 2 already", "promo"),
            Decision.Nothing("side", NoContentReasons.NoCampaign, "no live campaign for placement 'side'"),
        ];
        var document = new DecideResponseDocument("u<1>", decisions);
        var buffer = new MemoryStream();

        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder }))
        {
            DecideResponseWriter.Write(writer, document.UserId, document.Decisions);
        }

        Assert.Equal(JsonSerializer.Serialize(document, options), Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static async Task<string> DecideAsync(HttpClient client, string user)
    {
        var response = await client.PostAsync("/v1/decide", Http.Json($$"""{ "userId": "{{user}}", "placements": ["home_banner"] }"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("decisions")[0].GetProperty("decisionId").GetString()!;
    }

    private static string LogText(string directory) =>
        string.Concat(Directory.GetFiles(directory, "decisions-*.jsonl").Order(StringComparer.Ordinal).Select(File.ReadAllText));
}
