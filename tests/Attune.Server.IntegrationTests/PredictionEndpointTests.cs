using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Attune.Datasets.Synthetic;

namespace Attune.Server.IntegrationTests;

public sealed class PredictionEndpointTests : IDisposable
{
    private readonly AttuneFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Train_report_score_and_pairs_work_end_to_end_and_versions_count_up()
    {
        using var http = _factory.CreateClient();
        var shop = SyntheticShop.Generate(new SyntheticShopOptions(
            Users: 500, Items: 300, Events: 8_000, Days: 10, PurchaseRate: 0.05, PurchaseIntent: 0.06, Seed: 5));
        await PostEventsAsync(http, shop);

        var train = await http.PostAsync("/v1/predictions/purchase/train?days=1", null);
        Assert.Equal(HttpStatusCode.OK, train.StatusCode);
        var report = JsonDocument.Parse(await train.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("purchase_1d-v1", report.GetProperty("modelVersion").GetString());
        var models = report.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["logistic", "gbdt"], models.Select(m => m.GetProperty("model").GetString()));
        foreach (var m in models)
        {
            var auc = m.GetProperty("auc");
            Assert.InRange(auc.GetProperty("auc").GetDouble(), 0.6, 1.0);
            Assert.True(auc.GetProperty("lower").GetDouble() < auc.GetProperty("upper").GetDouble());
            Assert.Equal(10, m.GetProperty("lift").GetArrayLength());
            Assert.Equal(10, m.GetProperty("calibration").GetArrayLength());
        }

        Assert.True(models[0].GetProperty("importances")[0].TryGetProperty("coefficient", out var coefficient) && coefficient.ValueKind == JsonValueKind.Number);

        var again = await http.PostAsync("/v1/predictions/purchase/train?days=1", null);
        Assert.Equal("purchase_1d-v2", JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("modelVersion").GetString());
        var latest = await http.GetAsync("/v1/predictions/purchase/report?days=1");
        Assert.Equal("purchase_1d-v2", JsonDocument.Parse(await latest.Content.ReadAsStringAsync()).RootElement.GetProperty("modelVersion").GetString());
        Assert.True(File.Exists(Path.Combine(_factory.DataDir, "predictors", "purchase_1d", "v2.model")));

        var score = await http.PostAsync("/v1/predictions/purchase/score?days=1&top=5", null);
        Assert.Equal(HttpStatusCode.OK, score.StatusCode);
        var run = JsonDocument.Parse(await score.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("purchase_1d-v2", run.GetProperty("modelVersion").GetString());
        Assert.True(run.GetProperty("users").GetInt32() > 100);
        Assert.Equal(5, run.GetProperty("top").GetArrayLength());
        Assert.Equal(run.GetProperty("users").GetInt32(), run.GetProperty("written").GetInt32());
        var topUser = run.GetProperty("top")[0];
        var profile = JsonDocument.Parse(await http.GetStringAsync($"/v1/users/{topUser.GetProperty("userId").GetString()}/profile")).RootElement;
        var written = profile.GetProperty("predicted").GetProperty("purchase_1d");
        Assert.Equal("purchase_1d-v2", written.GetProperty("modelVersion").GetString());
        Assert.Equal(topUser.GetProperty("score").GetDouble(), written.GetProperty("score").GetDouble(), 9);

        var discover = await http.PostAsync("/v1/segments/discover", Http.Json("""{"minK":2,"maxK":4,"seed":3}"""));
        Assert.Equal(HttpStatusCode.OK, discover.StatusCode);
        var clusters = JsonDocument.Parse(await discover.Content.ReadAsStringAsync()).RootElement;
        Assert.InRange(clusters.GetProperty("k").GetInt32(), 2, 4);
        Assert.Equal(clusters.GetProperty("profiles").GetInt32(), clusters.GetProperty("clusters").EnumerateArray().Sum(c => c.GetProperty("size").GetInt32()));
        Assert.All(clusters.GetProperty("clusters").EnumerateArray(), c => Assert.False(string.IsNullOrEmpty(c.GetProperty("description").GetString())));

        var propensity = await http.PostAsync("/v1/predictions/propensity/train?days=1", null);
        Assert.Equal(HttpStatusCode.OK, propensity.StatusCode);
        var pairs = await http.PostAsync("/v1/predictions/propensity/pairs?days=1", Http.Json("""{"userId":"u00001","itemIds":["p00001","p00002","never-seen"]}"""));
        Assert.Equal(HttpStatusCode.OK, pairs.StatusCode);
        var scores = JsonDocument.Parse(await pairs.Content.ReadAsStringAsync()).RootElement.GetProperty("scores");
        Assert.Equal(3, scores.GetArrayLength());
        Assert.All(scores.EnumerateArray(), s => Assert.InRange(s.GetProperty("score").GetDouble(), 0, 1));
    }

    [Theory]
    [InlineData("/v1/predictions/likes/train", HttpStatusCode.BadRequest, "task")]
    [InlineData("/v1/predictions/purchase/train?days=0", HttpStatusCode.BadRequest, "days")]
    [InlineData("/v1/predictions/purchase/train?days=soon", HttpStatusCode.BadRequest, "days")]
    [InlineData("/v1/predictions/churn/train?days=7", HttpStatusCode.Conflict, "no view")]
    [InlineData("/v1/predictions/churn/score?days=7", HttpStatusCode.NotFound, "train it first")]
    [InlineData("/v1/predictions/propensity/pairs?days=7", HttpStatusCode.BadRequest, "userId")]
    [InlineData("/v1/segments/discover", HttpStatusCode.Conflict, "at least 3 profiles")]
    public async Task Bad_prediction_requests_get_a_problem_naming_the_cause(string url, HttpStatusCode status, string mention)
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync(url, Http.Json("{}"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mention, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_of_an_untrained_task_is_404()
    {
        using var http = _factory.CreateClient();

        var response = await http.GetAsync("/v1/predictions/purchase/report?days=3");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task PostEventsAsync(HttpClient http, SyntheticShop shop)
    {
        var items = new StringBuilder("[");
        foreach (var item in shop.Items)
        {
            items.Append(items.Length > 1 ? "," : string.Empty)
                .Append(CultureInfo.InvariantCulture, $$"""{"id":"{{item.Id}}","categories":["{{item.Categories![^1]}}"]}""");
        }

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/items", Http.Json(items.Append(']').ToString()))).StatusCode);
        foreach (var chunk in shop.Events().Chunk(5_000))
        {
            var body = new StringBuilder("[");
            foreach (var e in chunk)
            {
                body.Append(body.Length > 1 ? "," : string.Empty).Append(CultureInfo.InvariantCulture,
                    $$"""{"id":"{{e.Id}}","userId":"{{e.UserId}}","itemId":"{{e.ItemId}}","type":"{{e.Type}}","timestamp":{{e.Timestamp.ToUnixTimeSeconds()}}}""");
            }

            var response = await http.PostAsync("/v1/events", Http.Json(body.Append(']').ToString()));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }
}
