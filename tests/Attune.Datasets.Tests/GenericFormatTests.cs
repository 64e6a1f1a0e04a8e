using Attune.Core;

namespace Attune.Datasets.Tests;

public sealed class GenericFormatTests
{
    [Fact]
    public void Csv_with_header_finds_columns_by_common_names_and_maps_types()
    {
        using var data = new InlineDataset().With(
            "events.csv",
            "user_id,item_id,event_type,value,timestamp,session\n" +
            "u1,i1,pv,,1700000000,s1\n" +
            "u1,i2,buy,19.5,2023-11-14T22:13:21Z,s1\n" +
            "u2,,search,,1700000000000,\n" +
            ",i1,pv,,1700000000,\n" +
            "u3,i1,pv,cheap,1700000000,\n" +
            "u3,i1,pv,,not-a-time,\n");

        var records = data.Read("csv", ("type-map", "pv=view,buy=purchase"));

        var events = records.Events();
        Assert.Equal([EventTypes.View, EventTypes.Purchase, "search"], events.Select(e => e.Type));
        Assert.Equal(19.5, events[1].Value);
        Assert.Equal("s1", events[0].SessionId);
        Assert.Null(events[2].ItemId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), events[2].Timestamp);
        Assert.All(events, e => Assert.StartsWith("csv:", e.Id, StringComparison.Ordinal));
        var rejected = records.Rejected();
        Assert.Equal([5L, 6L, 7L], rejected.Select(r => r.Line));
        Assert.Contains("user id is empty", rejected[0].Reason, StringComparison.Ordinal);
        Assert.Contains("value 'cheap'", rejected[1].Reason, StringComparison.Ordinal);
        Assert.Contains("timestamp 'not-a-time'", rejected[2].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_without_header_uses_column_indices_delimiter_and_default_type()
    {
        using var data = new InlineDataset().With("r.tsv", "7\t70\t3.5\t1700000000\n8\t80\t4\t1700000001\n");

        var records = data.Read("csv", ("header", "false"), ("delimiter", "tab"), ("value-column", "2"), ("timestamp-column", "3"), ("default-type", "rating"));

        var events = records.Events();
        Assert.Equal(2, events.Count);
        Assert.Equal(("7", "70", "rating", 3.5), (events[0].UserId, events[0].ItemId!, events[0].Type, events[0].Value!.Value));
    }

    [Fact]
    public void Csv_without_header_and_without_a_timestamp_column_fails_with_the_option_to_set()
    {
        using var data = new InlineDataset().With("r.csv", "7,70\n");

        var ex = Assert.Throws<DatasetException>(() => data.Read("csv", ("header", "false")));

        Assert.Contains("--timestamp-column", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_format_option_is_refused_naming_the_known_ones()
    {
        using var data = new InlineDataset().With("r.csv", "user,item,timestamp\n");

        var ex = Assert.Throws<DatasetException>(() => data.Read("csv", ("user-col", "x")));

        Assert.Contains("user-column", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jsonl_reads_api_shaped_events_and_reports_bad_lines()
    {
        using var data = new InlineDataset().With(
            "events.jsonl",
            """
            {"id":"e1","userId":"u1","itemId":"i1","type":"purchase","value":12.5,"timestamp":"2024-05-01T10:00:00+02:00","sessionId":"s","context":{"channel":"web"},"properties":{"qty":2}}
            {"userId":"u2","type":"search","timestamp":1714550400}
            {"userId":"u3","itemId":"i1","type":"view"}
            {"userid":"u4","type":"view","timestamp":1}
            not json

            {"userId":"","type":"view","timestamp":1}
            """);

        var records = data.Read("jsonl");

        var events = records.Events();
        Assert.Equal(2, events.Count);
        Assert.Equal("e1", events[0].Id);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero), events[0].Timestamp);
        Assert.Equal("web", events[0].Context!.Channel);
        Assert.Equal(2, events[0].Properties!["qty"].GetInt32());
        Assert.StartsWith("jsonl:", events[1].Id, StringComparison.Ordinal);
        Assert.Null(events[1].ItemId);
        var rejected = records.Rejected();
        Assert.Equal([3L, 4L, 5L, 7L], rejected.Select(r => r.Line));
        Assert.Contains("timestamp is required", rejected[0].Reason, StringComparison.Ordinal);
        Assert.Contains("userid", rejected[1].Reason, StringComparison.Ordinal);
        Assert.Contains("userId", rejected[3].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_path_fails_with_a_clear_message()
    {
        var ex = Assert.Throws<DatasetException>(() => DatasetFormats.Read("taobao", "/nonexistent/attune/data"));

        Assert.Contains("/nonexistent/attune/data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_format_lists_the_known_formats()
    {
        var ex = Assert.Throws<DatasetException>(() => DatasetFormats.Get("parquet"));

        Assert.Contains("movielens-100k", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_format_has_a_unique_name_and_a_description()
    {
        Assert.Equal(DatasetFormats.All.Count, DatasetFormats.Names.Distinct().Count());
        Assert.All(DatasetFormats.All, f => Assert.False(string.IsNullOrWhiteSpace(f.Description)));
    }
}
