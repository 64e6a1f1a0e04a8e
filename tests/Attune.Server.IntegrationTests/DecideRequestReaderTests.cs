using System.Buffers;
using System.Text;
using System.Text.Json;
using Attune.Server.Endpoints;

namespace Attune.Server.IntegrationTests;

public sealed class DecideRequestReaderTests
{
    [Theory]
    [InlineData("""{"userId":"u1","placements":["home","push"],"context":{"device":"mobile","page":"/home","n":3,"vip":true}}""")]
    [InlineData("""{"placements":["home"],"userId":"ü \u00e9"}""")]
    [InlineData("""{"userId":"","placements":[],"context":{}}""")]
    [InlineData("""{"userId":"u1","context":{"nested":{"a":[1,2]}}}""")]
    public void The_fast_read_gives_what_the_serializer_gives(string json)
    {
        var expected = JsonSerializer.Deserialize<JsonElement>(json);

        using var document = DecideRequestReader.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), 32, out var request);

        Assert.NotNull(document);
        Assert.Equal(expected.TryGetProperty("userId", out var u) ? u.GetString() : null, request!.UserId);
        Assert.Equal(
            expected.TryGetProperty("placements", out var p) ? p.EnumerateArray().Select(x => x.GetString()).ToList() : null,
            request.Placements);
        if (expected.TryGetProperty("context", out var c))
        {
            Assert.Equal(c.EnumerateObject().Select(x => (x.Name, x.Value.GetRawText())), request.Context!.Select(x => (x.Key, x.Value.GetRawText())));
        }
        else
        {
            Assert.Null(request.Context);
        }
    }

    [Theory]
    [InlineData("""{"userId":null,"placements":["home"]}""")]
    [InlineData("""{"UserId":"u1","placements":["home"]}""")]
    [InlineData("""{"userId":"u1","placements":["home"],"extra":1}""")]
    [InlineData("""{"userId":"u1","userId":"u2"}""")]
    [InlineData("""{"userId":"u1","placements":["home", 3]}""")]
    [InlineData("""{"userId":"u1","context":{"a":1,"a":2}}""")]
    [InlineData("""{"userId":"u1","placements":"home"}""")]
    [InlineData("""[1]""")]
    [InlineData("""{"userId":"u1",""")]
    [InlineData("""{"userId":"u1","context":{"a":[[[[1]]]]}}""")]
    public void Any_other_shape_is_left_to_the_serializer(string json)
    {
        var document = DecideRequestReader.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), 4, out var request);

        Assert.Null(document);
        Assert.Null(request);
    }
}
