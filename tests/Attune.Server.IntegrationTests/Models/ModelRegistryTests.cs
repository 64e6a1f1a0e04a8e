using System.Net;
using System.Text.Json;
using Attune.Engine.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Attune.Server.IntegrationTests.Models;

public sealed class ModelRegistryTests : IDisposable
{
    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["Attune:Models:TrainOnStart"] = "false",
        ["Attune:Models:ScheduleInterval"] = "00:00:00",
        ["Attune:Models:RetrainAfterEvents"] = "0",
        ["Attune:Models:Algorithm"] = "ease:lambda=10",
    };

    private readonly AttuneFactory _factory = new(Quiet);

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Train_endpoint_stores_a_version_with_every_component_and_makes_it_active()
    {
        using var http = _factory.CreateClient();
        await ClusteredShop.LoadAsync(http);

        var run = await ClusteredShop.TrainAsync(http);

        Assert.Equal("promoted", run.GetProperty("status").GetString());
        var version = run.GetProperty("version").GetString()!;
        var models = await ClusteredShop.ModelsAsync(http);
        Assert.Equal(version, models.GetProperty("active").GetString());
        var listed = models.GetProperty("versions").EnumerateArray().Single();
        Assert.True(listed.GetProperty("active").GetBoolean());
        Assert.Equal("ease:lambda=10", listed.GetProperty("info").GetProperty("algorithm").GetString());
        Assert.Equal(1600, listed.GetProperty("info").GetProperty("events").GetInt64());
        Assert.Equal(64, listed.GetProperty("info").GetProperty("checksum").GetString()!.Length);
        var components = listed.GetProperty("components").EnumerateArray().Select(c => c.GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "main", "item-knn", "sequence", "content", "popularity", "trending" }, components);
        Assert.True(File.Exists(Path.Combine(_factory.DataDir, "models", version, "manifest.json")));
        Assert.Equal(version, _factory.Services.GetRequiredService<ActiveModel>().Current?.Version);
        var single = JsonDocument.Parse(await http.GetStringAsync($"/v1/models/{version}")).RootElement;
        Assert.Equal(version, single.GetProperty("version").GetString());
        Assert.Contains(models.GetProperty("history").EnumerateArray(), h => h.GetProperty("kind").GetString() == "promoted");
    }

    [Fact]
    public async Task Promotion_guard_keeps_the_active_version_when_the_candidate_is_worse_and_records_both_scores()
    {
        using var http = _factory.CreateClient();
        await ClusteredShop.LoadAsync(http);
        var first = await ClusteredShop.TrainAsync(http);

        var worse = await ClusteredShop.TrainAsync(http, "popularity");

        Assert.Equal("rejected", worse.GetProperty("status").GetString());
        var decision = worse.GetProperty("decision");
        Assert.False(decision.GetProperty("promoted").GetBoolean());
        Assert.Equal("ndcg@10", decision.GetProperty("metric").GetString());
        var candidate = decision.GetProperty("candidateScore").GetDouble();
        var active = decision.GetProperty("activeScore").GetDouble();
        Assert.True(candidate < active, $"candidate {candidate} should score below active {active}");
        Assert.Equal(first.GetProperty("version").GetString(), decision.GetProperty("activeVersion").GetString());
        var models = await ClusteredShop.ModelsAsync(http);
        Assert.Equal(first.GetProperty("version").GetString(), models.GetProperty("active").GetString());
        var rejected = models.GetProperty("history").EnumerateArray().First(h => h.GetProperty("kind").GetString() == "rejected");
        Assert.Equal(candidate, rejected.GetProperty("decision").GetProperty("candidateScore").GetDouble());
        Assert.Equal(active, rejected.GetProperty("decision").GetProperty("activeScore").GetDouble());
        var stored = models.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("version").GetString() == worse.GetProperty("version").GetString());
        Assert.False(stored.GetProperty("active").GetBoolean());
        Assert.False(stored.GetProperty("decision").GetProperty("promoted").GetBoolean());
    }

    [Fact]
    public async Task Activate_rolls_back_to_an_earlier_version_and_points_the_data_folder_at_it()
    {
        using var http = _factory.CreateClient();
        await ClusteredShop.LoadAsync(http);
        var first = (await ClusteredShop.TrainAsync(http)).GetProperty("version").GetString()!;
        var second = (await ClusteredShop.TrainAsync(http)).GetProperty("version").GetString()!;
        Assert.Equal(second, (await ClusteredShop.ModelsAsync(http)).GetProperty("active").GetString());

        var response = await http.PostAsync($"/v1/models/{first}/activate", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(first, (await ClusteredShop.ModelsAsync(http)).GetProperty("active").GetString());
        Assert.Equal(first, _factory.Services.GetRequiredService<ActiveModel>().Current?.Version);
        Assert.Equal(first, new ModelStore(_factory.DataDir).ReadActive()?.Version);
    }

    [Fact]
    public async Task Activate_refuses_a_corrupt_version_with_409_and_keeps_the_active_one()
    {
        using var http = _factory.CreateClient();
        await ClusteredShop.LoadAsync(http);
        var first = (await ClusteredShop.TrainAsync(http)).GetProperty("version").GetString()!;
        var second = (await ClusteredShop.TrainAsync(http)).GetProperty("version").GetString()!;
        var main = Path.Combine(_factory.DataDir, "models", first, "components", "main.atnm");
        var bytes = await File.ReadAllBytesAsync(main);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(main, bytes);

        var response = await http.PostAsync($"/v1/models/{first}/activate", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("checksum mismatch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(second, _factory.Services.GetRequiredService<ActiveModel>().Current?.Version);
    }

    [Fact]
    public async Task Unknown_version_and_unknown_training_run_are_404()
    {
        using var http = _factory.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/models/20260101T000000000Z-abcd")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/v1/models/20260101T000000000Z-abcd/activate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/models/trainings/nope")).StatusCode);
    }

    [Fact]
    public async Task Train_with_an_unknown_algorithm_is_400_naming_the_field()
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync("/v1/models/train", Http.Json("""{"algorithm":"nope:x=1"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("'algorithm'", body, StringComparison.Ordinal);
        Assert.Contains("Unknown algorithm", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Training_with_too_few_events_is_skipped_and_nothing_is_stored()
    {
        using var http = _factory.CreateClient();
        await ClusteredShop.LoadAsync(http, users: 4, perUser: 5);

        var run = await ClusteredShop.TrainAsync(http);

        Assert.Equal("skipped", run.GetProperty("status").GetString());
        Assert.Contains("MinEvents", run.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty((await ClusteredShop.ModelsAsync(http)).GetProperty("versions").EnumerateArray());
    }
}

public sealed class RetrainTriggerTests : IDisposable
{
    private readonly AttuneFactory _factory = new(new Dictionary<string, string?>
    {
        ["Attune:Models:TrainOnStart"] = "false",
        ["Attune:Models:ScheduleInterval"] = "00:00:00",
        ["Attune:Models:RetrainAfterEvents"] = "1000",
        ["Attune:Models:Algorithm"] = "popularity",
    });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Retrain_starts_by_itself_once_enough_new_events_are_stored()
    {
        using var http = _factory.CreateClient();
        await http.PostAsync("/v1/items", Http.Json(ClusteredShop.Items()));
        await http.PostAsync("/v1/events", Http.Json(ClusteredShop.Events(40, 20)));
        Assert.Empty((await ClusteredShop.ModelsAsync(http)).GetProperty("trainings").EnumerateArray());

        await http.PostAsync("/v1/events", Http.Json(ClusteredShop.Events(40, 10, seed: 9, idPrefix: "f", startSeconds: ClusteredShop.StartSeconds + 100_000)));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement run;
        while (true)
        {
            var runs = (await ClusteredShop.ModelsAsync(http)).GetProperty("trainings").EnumerateArray().ToArray();
            if (runs.Length > 0)
            {
                run = await ClusteredShop.WaitAsync(http, $"/v1/models/trainings/{runs[0].GetProperty("id").GetString()}");
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "No training run started after 1200 new events.");
            await Task.Delay(50);
        }

        Assert.Equal("events", run.GetProperty("trigger").GetString());
        Assert.Equal("promoted", run.GetProperty("status").GetString());
    }
}

public sealed class ModelAuthTests : IDisposable
{
    private readonly AttuneFactory _factory = new(new Dictionary<string, string?> { ["Attune:Models:TrainOnStart"] = "false" }, withKeys: true);

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("GET", "/v1/models")]
    [InlineData("GET", "/v1/models/20260101T000000000Z-abcd")]
    [InlineData("POST", "/v1/models/train")]
    [InlineData("GET", "/v1/models/trainings/x")]
    [InlineData("POST", "/v1/models/20260101T000000000Z-abcd/activate")]
    public async Task Model_management_needs_the_admin_key(string method, string url)
    {
        using var ingest = _factory.CreateClient(AttuneFactory.IngestKey);
        using var anonymous = _factory.CreateClient(apiKey: null);
        using var admin = _factory.CreateClient(AttuneFactory.AdminKey);

        var asIngest = await ingest.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        var asAnonymous = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        var asAdmin = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        Assert.Equal(HttpStatusCode.Forbidden, asIngest.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, asAnonymous.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, asAdmin.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, asAdmin.StatusCode);
    }
}

public sealed class ScheduledTrainingTests : IDisposable
{
    private readonly AttuneFactory _factory = new(new Dictionary<string, string?>
    {
        ["Attune:Models:TrainOnStart"] = "false",
        ["Attune:Models:ScheduleInterval"] = "00:00:01",
        ["Attune:Models:RetrainAfterEvents"] = "0",
        ["Attune:Models:Algorithm"] = "popularity",
    });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_schedule_starts_training_runs_by_itself()
    {
        using var http = _factory.CreateClient();
        await ClusteredShop.LoadAsync(http, users: 20, perUser: 10);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var runs = (await ClusteredShop.ModelsAsync(http)).GetProperty("trainings").EnumerateArray().ToArray();
            var promoted = runs.FirstOrDefault(r => r.GetProperty("status").GetString() == "promoted");
            if (promoted.ValueKind != JsonValueKind.Undefined)
            {
                Assert.Equal("schedule", promoted.GetProperty("trigger").GetString());
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "No scheduled run promoted a model within a minute.");
            await Task.Delay(100);
        }
    }
}
