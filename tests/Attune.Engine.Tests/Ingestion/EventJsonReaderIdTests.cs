using System.Text;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;

namespace Attune.Engine.Tests.Ingestion;

public sealed class EventJsonReaderIdTests
{
    private static ParseResult<Core.Event> Parse(string json) =>
        EventJsonReader.Read(Encoding.UTF8.GetBytes(json), new LimitOptions(), DateTimeOffset.UnixEpoch);

    [Fact]
    public void Escaped_and_non_ascii_ids_read_as_their_text()
    {
        var result = Parse("""{"userId":"caf\u00e9","itemId":"na\u00efve-\"x\"","type":"view"}""".Replace("\\u00e9", "é", StringComparison.Ordinal));

        Assert.True(result.IsValid);
        Assert.Equal("café", result.Values[0].UserId);
        Assert.Equal("na\u00efve-\"x\"", result.Values[0].ItemId);
    }

    [Fact]
    public void A_control_character_in_an_id_is_still_refused_with_its_field()
    {
        var result = Parse("""[{"userId":"u\u0001","type":"view"}]""");

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Key == "[0].userId" && e.Message.Contains("control", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_id_is_still_refused()
    {
        var result = Parse("""{"userId":"","type":"view"}""");

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Field == "userId");
    }

    [Fact]
    public void A_channel_only_context_keeps_its_channel_and_a_fuller_context_keeps_every_field()
    {
        var result = Parse("""[{"userId":"u","type":"view","context":{"channel":"web"}},{"userId":"u","type":"view","context":{"channel":"web","device":"ios"}}]""");

        Assert.True(result.IsValid);
        Assert.Equal(new Core.EventContext(Channel: "web"), result.Values[0].Context);
        Assert.Equal(new Core.EventContext(Channel: "web", Device: "ios"), result.Values[1].Context);
    }
}
