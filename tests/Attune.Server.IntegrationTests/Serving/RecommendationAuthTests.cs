using System.Net;

namespace Attune.Server.IntegrationTests.Serving;

public sealed class RecommendationAuthTests : IDisposable
{
    private readonly AttuneFactory _factory = new(withKeys: true);

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_ingest_key_reads_recommendations_but_not_model_metrics()
    {
        using var ingest = _factory.CreateClient(AttuneFactory.IngestKey);
        using var admin = _factory.CreateClient(AttuneFactory.AdminKey);
        using var anonymous = _factory.CreateClient(apiKey: null);

        using var recs = await ingest.GetAsync("/v1/recommendations/u1");
        using var popular = await ingest.GetAsync("/v1/popular");
        using var metrics = await ingest.GetAsync("/v1/models/v1/metrics");
        using var adminMetrics = await admin.GetAsync("/v1/models/v1/metrics");
        using var none = await anonymous.GetAsync("/v1/recommendations/u1");

        Assert.Equal(HttpStatusCode.OK, recs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, popular.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, adminMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }
}
