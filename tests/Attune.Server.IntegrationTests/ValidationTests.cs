using System.Net;
using System.Text;
using System.Text.Json;

namespace Attune.Server.IntegrationTests;

public sealed class ValidationTests : IDisposable
{
    private readonly AttuneFactory _factory = new(new Dictionary<string, string?>
    {
        ["Attune:Limits:MaxBodyBytes"] = "65536",
        ["Attune:Limits:MaxBatchSize"] = "100",
        ["Attune:Limits:MaxStringLength"] = "1000",
    });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Bad_element_in_a_batch_refuses_the_whole_batch_and_names_its_index_and_field()
    {
        using var http = _factory.CreateClient();
        var batch = """
            [{"id":"a","userId":"u1","type":"view"},
             {"id":"b","userId":"u2","type":"view"},
             {"id":"c","userId":"u3","type":"view","timestamp":"yesterday"},
             {"id":"d","userId":"u4","type":"view"}]
            """;

        var response = await http.PostAsync("/v1/events", Http.Json(batch));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(2, error.GetProperty("index").GetInt32());
        Assert.Equal("timestamp", error.GetProperty("field").GetString());
        Assert.Equal("[2].timestamp", error.GetProperty("key").GetString());
        Assert.Equal(0, (await _factory.CreateAttuneClient().GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Every_bad_field_of_every_element_is_listed()
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync("/v1/events", Http.Json(
            """[{"userId":1,"type":"view"},{"userId":"u","type":"view","context":{"channel":"tv"}},{"type":"view","colour":"red"}]"""));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var keys = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("key").GetString()).ToList();
        Assert.Equal(["[0].userId", "[1].context.channel", "[2].colour", "[2].userId"], keys);
    }

    [Theory]
    [InlineData("""{"userId":"u","type":"view",}""", "")]
    [InlineData("""{"userId":"u","type":"view"} {}""", "")]
    [InlineData("""[{"userId":"u","type":"view"}""", "")]
    [InlineData("""42""", "")]
    [InlineData("""[42]""", "")]
    [InlineData("""null""", "")]
    [InlineData("", "")]
    [InlineData("""{"userId":"u"}""", "type")]
    [InlineData("""{"userId":"","type":"view"}""", "userId")]
    [InlineData("""{"userId":"u","type":"view","value":"high"}""", "value")]
    [InlineData("""{"userId":"u","type":"view","timestamp":"2024-05-01T12:00:00"}""", "timestamp")]
    [InlineData("""{"userId":"u","type":"view","timestamp":-5}""", "timestamp")]
    [InlineData("""{"userId":"u","type":"view","timestamp":"2999-01-01T00:00:00Z"}""", "timestamp")]
    [InlineData("""{"userId":"u","type":"view","properties":{"nested":{"a":1}}}""", "properties.nested")]
    [InlineData("""{"userId":"u","type":"view","properties":[1]}""", "properties")]
    [InlineData("""{"userId":"u\u0001","type":"view"}""", "userId")]
    [InlineData("""{"userId":"\ud800","type":"view"}""", "userId")]
    [InlineData("""{"userId":"u","type":"view","context":{"page":null,"referrer":"x"}}""", "context.referrer")]
    public async Task Malformed_event_body_is_400_naming_the_field(string body, string field)
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync("/v1/events", Http.Json(body));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Contains(field, fields);
        Assert.Equal(0, (await _factory.CreateAttuneClient().GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Deep_nesting_is_400()
    {
        using var http = _factory.CreateClient();
        var deep = """{"userId":"u","type":"view","properties":""" + new string('[', 5000) + new string(']', 5000) + "}";

        var response = await http.PostAsync("/v1/events", Http.Json(deep));

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Invalid_utf8_is_400()
    {
        using var http = _factory.CreateClient();
        byte[] body = [.. "{\"userId\":\"u"u8, 0xC3, 0x28, .. "\",\"type\":\"view\"}"u8];

        var response = await http.PostAsync("/v1/events", Http.JsonBytes(body));

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Too_long_string_is_400()
    {
        using var http = _factory.CreateClient();
        var body = "{\"userId\":\"u\",\"type\":\"view\",\"context\":{\"page\":\"" + new string('p', 1001) + "\"}}";

        var response = await http.PostAsync("/v1/events", Http.Json(body));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("1000", problem.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_elements_is_400_naming_the_limit()
    {
        using var http = _factory.CreateClient();
        var body = "[" + string.Join(',', Enumerable.Range(0, 101).Select(i => $$"""{"userId":"u{{i}}","type":"view"}""")) + "]";

        var response = await http.PostAsync("/v1/events", Http.Json(body));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("MaxBatchSize", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await _factory.CreateAttuneClient().GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Body_over_the_byte_limit_is_413()
    {
        using var http = _factory.CreateClient();
        var body = "[" + string.Join(',', Enumerable.Range(0, 90).Select(i => "{\"userId\":\"u" + i + "\",\"type\":\"view\",\"context\":{\"page\":\"" + new string('p', 900) + "\"}}")) + "]";

        var response = await http.PostAsync("/v1/events", Http.Json(body));

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Body_over_the_byte_limit_without_content_length_is_413()
    {
        using var http = _factory.CreateClient();
        var bytes = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, 5000).Select(i => $$"""{"userId":"u{{i}}","type":"view"}""")) + "]");
        var content = new StreamContent(new NonSeekableStream(bytes));
        content.Headers.ContentType = new("application/json");

        var response = await http.PostAsync("/v1/events", content);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    public async Task Non_json_content_type_is_415(string contentType)
    {
        using var http = _factory.CreateClient();
        var content = new ByteArrayContent("""{"userId":"u","type":"view"}"""u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await http.PostAsync("/v1/events", content);

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Item_batch_with_a_bad_element_writes_no_item()
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync("/v1/items", Http.Json("""[{"id":"a"},{"id":"b","price":"cheap"},{"id":"c"}]"""));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("[1].price", problem.GetProperty("errors")[0].GetProperty("key").GetString());
        Assert.Empty((await _factory.CreateAttuneClient().ListItemsAsync()).Items);
    }

    [Fact]
    public async Task Item_batch_with_a_repeated_id_is_refused()
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync("/v1/items", Http.Json("""[{"id":"a"},{"id":"a","title":"again"}]"""));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("[1].id", problem.GetProperty("errors")[0].GetProperty("key").GetString());
    }

    [Theory]
    [InlineData("""{"consent":{"marketing":"yes"}}""", "consent.marketing")]
    [InlineData("""{"attributes":{"age":[1]}}""", "attributes.age")]
    [InlineData("""{"nickname":"x"}""", "nickname")]
    [InlineData("""{"id":"someone-else"}""", "id")]
    public async Task Bad_user_body_is_400_naming_the_field(string body, string field)
    {
        using var http = _factory.CreateClient();

        var response = await http.PutAsync("/v1/users/u1", Http.Json(body));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Null(await _factory.CreateAttuneClient().GetUserAsync("u1"));
    }

    [Theory]
    [InlineData("/v1/items?limit=0")]
    [InlineData("/v1/items?limit=abc")]
    [InlineData("/v1/items?limit=100000")]
    public async Task Bad_paging_parameter_is_400(string url)
    {
        using var http = _factory.CreateClient();

        var response = await http.GetAsync(url);

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Id_longer_than_the_limit_in_the_url_is_400()
    {
        using var http = _factory.CreateClient();

        var response = await http.GetAsync("/v1/items/" + new string('x', 300));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("id", problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {expected}, got {response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>Forces chunked transfer (no Content-Length).</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
