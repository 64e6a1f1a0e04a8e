using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Attune.Server.IntegrationTests;

public sealed class ExperimentEndpointTests
{
    private const string Definition = """
        {"id":"banner-test","name":"Banner copy","variants":[{"id":"control"},{"id":"bold","weight":1}],
         "metrics":[{"name":"conversion","kind":"conversion","eventType":"purchase"},
                    {"name":"ctr","kind":"ratio","eventType":"click","denominatorEventType":"view"}],
         "status":"running","startAt":"2020-01-01T00:00:00Z","plannedUsers":400,"plannedLooks":4}
        """;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_experiment_is_created_assigned_persisted_and_reports_results()
    {
        using var factory = new AttuneFactory();
        using var client = factory.CreateClient();

        var created = await client.PostAsync("/v1/experiments", Json(Definition));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var events = new StringBuilder("[");
        for (var u = 0; u < 200; u++)
        {
            events.Append(u == 0 ? "" : ",").Append($$"""{"userId":"u{{u}}","itemId":"i1","type":"view","timestamp":"2021-01-01T00:00:00Z"}""");
            if (u % 4 == 0)
            {
                events.Append($$""",{"userId":"u{{u}}","itemId":"i1","type":"purchase","value":20,"timestamp":"2021-01-01T00:01:00Z"}""");
            }
        }

        var ingest = await client.PostAsync("/v1/events", Json(events.Append(']').ToString()));
        Assert.True(ingest.IsSuccessStatusCode, await ingest.Content.ReadAsStringAsync());

        var assignment = await client.GetFromJsonAsync<JsonElement>("/v1/experiments/assignments/u7");
        var results = await client.GetFromJsonAsync<JsonElement>("/v1/experiments/banner-test/results");
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/experiments");

        Assert.False(assignment.GetProperty("holdout").GetBoolean());
        Assert.Equal("banner-test", assignment.GetProperty("assignments")[0].GetProperty("experimentId").GetString());
        var users = results.GetProperty("users").EnumerateArray().Sum(v => v.GetProperty("users").GetInt64());
        Assert.Equal(200, users);
        var conversion = results.GetProperty("metrics")[0];
        Assert.Equal("conversion", conversion.GetProperty("name").GetString());
        Assert.Equal(1, conversion.GetProperty("comparisons").GetArrayLength());
        var planned = conversion.GetProperty("comparisons")[0].GetProperty("groupSequential");
        Assert.Equal(2, planned.GetProperty("look").GetInt32());
        Assert.Equal(4, planned.GetProperty("looks").GetInt32());
        Assert.Equal(0.5, planned.GetProperty("informationFraction").GetDouble(), 12);
        Assert.Equal(Attune.Experiments.Statistics.GroupSequentialDesign.For(4).Boundaries[1], planned.GetProperty("boundary").GetDouble(), 9);
        Assert.True(File.Exists(Path.Combine(factory.DataDir, "experiments", "experiments.json")));
        Assert.Equal(1, list.GetArrayLength());
    }

    [Fact]
    public async Task An_invalid_experiment_is_refused_naming_the_field_and_nothing_is_written()
    {
        using var factory = new AttuneFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/v1/experiments", Json("""{"id":"x","variants":[{"id":"a"},{"id":"b","weight":-1}],"traffic":2,"plannedLooks":0}"""));
        var nulls = await client.PostAsync("/v1/experiments", Json("""{"id":"y","variants":null,"layer":null}"""));
        Assert.Equal(HttpStatusCode.BadRequest, nulls.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/experiments");

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.Contains("variants[1].weight", problem, StringComparison.Ordinal);
        Assert.Contains("traffic", problem, StringComparison.Ordinal);
        Assert.Contains("plannedLooks", problem, StringComparison.Ordinal);
        Assert.Equal(0, list.GetArrayLength());
    }

    [Fact]
    public async Task Malformed_json_and_unknown_ids_get_problem_details_not_500()
    {
        using var factory = new AttuneFactory();
        using var client = factory.CreateClient();

        var malformed = await client.PostAsync("/v1/experiments", Json("""{"id": 3"""));
        var missing = await client.GetAsync("/v1/experiments/nope/results");
        var duplicate1 = await client.PostAsync("/v1/experiments", Json(Definition));
        var duplicate2 = await client.PostAsync("/v1/experiments", Json(Definition));

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Created, duplicate1.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate2.StatusCode);
    }

    [Fact]
    public async Task Off_policy_evaluation_of_uploaded_logs_returns_every_estimator()
    {
        using var factory = new AttuneFactory();
        using var client = factory.CreateClient();
        var rows = new StringBuilder();
        var rng = new Random(3);
        for (var i = 0; i < 400; i++)
        {
            var action = rng.Next(2);
            var reward = rng.NextDouble() < (action == 1 ? 0.3 : 0.1) ? 1 : 0;
            rows.Append(i == 0 ? "" : ",").Append($$"""{"action":{{action}},"propensity":0.5,"reward":{{reward}}}""");
        }

        var response = await client.PostAsync("/v1/ope", Json($$"""{"arms":2,"target":"fixed:weights=0,1","decisions":[{{rows}}]}"""));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var bad = await client.PostAsync("/v1/ope", Json("""{"arms":2,"target":"uniform","decisions":[{"action":0,"propensity":0.5,"reward":1},{"action":5,"propensity":0.5,"reward":1}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = body.GetProperty("estimates").EnumerateArray().Select(e => e.GetProperty("estimator").GetString() ?? "").ToArray();
        Assert.Equal(["ips", "snips", "dm", "dr"], names);
        var dr = body.GetProperty("estimates")[3];
        Assert.InRange(dr.GetProperty("value").GetDouble(), 0.2, 0.4);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Logged decision 1", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
