using Attune.Datasets.Parsing;

namespace Attune.Datasets.Tests;

public sealed class ParsingTests
{
    [Fact]
    public void LineReader_handles_crlf_a_last_line_without_newline_and_lines_longer_than_its_buffer()
    {
        var longLine = new string('x', 300);
        using var reader = new LineReader(new StringReader($"a\r\n\n{longLine}\nlast"), bufferSize: 16);
        var lines = new List<(long, string)>();

        while (reader.MoveNext())
        {
            lines.Add((reader.LineNumber, reader.Current.ToString()));
        }

        Assert.Equal([(1L, "a"), (2L, ""), (3L, longLine), (4L, "last")], lines);
    }

    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("\"a,b\",c", new[] { "a,b", "c" })]
    [InlineData("\"say \"\"hi\"\"\",", new[] { "say \"hi\"", "" })]
    [InlineData(",", new[] { "", "" })]
    public void Csv_split_handles_quotes_and_empty_fields(string line, string[] expected)
    {
        Span<Range> f = stackalloc Range[8];

        var count = Csv.Split(line, ',', f, out var quoted);

        var fields = new string[count];
        for (var i = 0; i < count; i++)
        {
            fields[i] = Csv.Field(line, f[i], i, quoted);
        }

        Assert.Equal(expected, fields);
    }

    [Fact]
    public void Csv_split_reports_an_unterminated_quote()
    {
        Span<Range> f = stackalloc Range[8];

        Assert.Equal(-1, Csv.Split("a,\"b", ',', f, out _));
    }

    [Fact]
    public void Hashed_ids_differ_when_field_boundaries_differ()
    {
        var a = EventIds.Hashed("csv", ["ab", "c"]);
        var b = EventIds.Hashed("csv", ["a", "bc"]);

        Assert.NotEqual(a, b);
        Assert.Equal(a, EventIds.Hashed("csv", ["ab", "c"]));
    }

    [Theory]
    [InlineData("1700000000", 1_700_000_000_000L)]
    [InlineData("1700000000123", 1_700_000_000_123L)]
    [InlineData("2023-11-14T22:13:20Z", 1_700_000_000_000L)]
    [InlineData("2023-11-14 22:13:20 UTC", 1_700_000_000_000L)]
    [InlineData("2023-11-14T23:13:20+01:00", 1_700_000_000_000L)]
    public void Timestamps_parse_in_every_supported_form(string text, long expectedMs)
    {
        Assert.True(Fields.TryTimestamp(text, out var t));
        Assert.Equal(expectedMs, t.ToUnixTimeMilliseconds());
    }
}
