using System.Net;
using System.Text.Json;
using Attune.Server.Endpoints;

namespace Attune.Server.IntegrationTests;

/// <summary>The 202 of <c>POST /v1/events</c> is written from preformatted bytes: it must stay what the JSON serializer would write.</summary>
public sealed class IngestAnswerTests : IDisposable
{
    private readonly AttuneFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Accepted_body_is_exactly_the_serialized_ingest_response_with_json_content_type()
    {
        using var http = _factory.CreateClient();
        await http.PostAsync("/v1/events", Http.Json("""{"id":"a","userId":"u1","itemId":"i1","type":"view"}"""));

        var response = await http.PostAsync("/v1/events", Http.Json(
            """[{"id":"a","userId":"u1","itemId":"i1","type":"view"},{"id":"b","userId":"u1","itemId":"i2","type":"view"},{"id":"b","userId":"u1","itemId":"i2","type":"view"}]"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var expected = JsonSerializer.Serialize(new IngestResponse(1, 2), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal(expected.Length, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Invalid_and_non_json_bodies_still_get_problem_details()
    {
        using var http = _factory.CreateClient();

        var invalid = await http.PostAsync("/v1/events", Http.Json("""[{"userId":"u1","type":"view"},{"type":"view"}]"""));
        var text = await http.PostAsync("/v1/events", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        Assert.Contains("[1].userId", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal("application/problem+json", text.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_events_body_and_its_202_answer()
    {
        using var http = _factory.CreateClient();

        using var doc = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var post = doc.RootElement.GetProperty("paths").GetProperty("/v1/events").GetProperty("post");

        Assert.Equal("PostEvents", post.GetProperty("operationId").GetString());
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        var responses = post.GetProperty("responses");
        Assert.True(responses.GetProperty("202").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(responses.TryGetProperty("400", out _));
        Assert.True(responses.TryGetProperty("413", out _));
    }
}
