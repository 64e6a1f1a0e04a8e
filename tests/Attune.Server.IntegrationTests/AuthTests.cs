using System.Net;

namespace Attune.Server.IntegrationTests;

public sealed class AuthTests : IDisposable
{
    private readonly AttuneFactory _factory = new(withKeys: true);

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Request_without_a_key_is_401_with_a_bearer_challenge()
    {
        using var http = _factory.CreateClient(apiKey: null);

        var response = await http.PostAsync("/v1/events", Http.Json("""{"userId":"u","type":"view"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_key_is_401()
    {
        using var http = _factory.CreateClient("not-a-key-0123456789abcdef");

        var response = await http.GetAsync("/v1/stats");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_key_may_post_events()
    {
        using var http = _factory.CreateClient(AttuneFactory.IngestKey);

        var response = await http.PostAsync("/v1/events", Http.Json("""{"userId":"u","type":"view"}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/v1/stats")]
    [InlineData("GET", "/v1/items")]
    [InlineData("GET", "/v1/items/a")]
    [InlineData("PUT", "/v1/items/a")]
    [InlineData("POST", "/v1/items")]
    [InlineData("DELETE", "/v1/items/a")]
    [InlineData("GET", "/v1/users/u")]
    [InlineData("PUT", "/v1/users/u")]
    [InlineData("DELETE", "/v1/users/u")]
    [InlineData("GET", "/v1/users/u/export")]
    public async Task Ingest_key_is_403_everywhere_else(string method, string url)
    {
        using var http = _factory.CreateClient(AttuneFactory.IngestKey);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is "PUT" or "POST")
        {
            request.Content = Http.Json("""{"id":"a"}""");
        }

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Admin_key_may_do_everything()
    {
        using var http = _factory.CreateClient(AttuneFactory.AdminKey);

        var events = await http.PostAsync("/v1/events", Http.Json("""{"userId":"u","type":"view"}"""));
        var item = await http.PutAsync("/v1/items/a", Http.Json("""{"title":"A"}"""));
        var stats = await http.GetAsync("/v1/stats");
        var erase = await http.DeleteAsync("/v1/users/u");

        Assert.Equal(HttpStatusCode.Accepted, events.StatusCode);
        Assert.Equal(HttpStatusCode.OK, item.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
    }

    [Fact]
    public async Task Health_and_ready_are_open_without_a_key()
    {
        using var http = _factory.CreateClient(apiKey: null);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ready")).StatusCode);
    }
}
