using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Serving;

public class PagingTests
{
    [Fact]
    public void Paging_never_repeats_and_covers_the_whole_list()
    {
        var options = new PipelineOptions(ListLength: 95, Diversity: new DiversityOptions(0.7, MaxPerCategory: 40));
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(300, 5), options);
        var expected = ServingFixtures.Indices(pipeline.Rank(ServingFixtures.Request(300)));

        var page = pipeline.Recommend(ServingFixtures.Request(300, count: 10));
        var seen = new List<int>(page.Items.Select(i => i.Index));
        var pages = 1;
        while (page.NextCursor is not null)
        {
            var next = pipeline.NextPage(page.NextCursor, 10);
            Assert.Equal(page.RecommendationId, next.RecommendationId);
            seen.AddRange(next.Items.Select(i => i.Index));
            page = next;
            pages++;
        }

        Assert.Equal(10, pages);
        Assert.Equal(95, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void Positions_count_from_the_start_of_the_list_across_pages()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(30, 3));

        var first = pipeline.Recommend(ServingFixtures.Request(30, count: 7));
        var second = pipeline.NextPage(first.NextCursor!, 7);

        Assert.Equal(Enumerable.Range(7, 7), second.Items.Select(i => i.Position));
        Assert.Equal("i7", second.Items[0].ItemId);
    }

    [Fact]
    public void Fewer_candidates_than_asked_gives_them_all_and_no_cursor()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));

        var response = pipeline.Recommend(ServingFixtures.Request(3, count: 10));

        Assert.Equal(["i0", "i1", "i2"], response.Items.Select(i => i.ItemId));
        Assert.Null(response.NextCursor);
    }

    [Fact]
    public void A_tampered_cursor_is_refused()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(30, 3));
        var cursor = pipeline.Recommend(ServingFixtures.Request(30, count: 5)).NextCursor!;
        var codec = new CursorCodec(ServingFixtures.Key);
        var state = codec.Decode(cursor);

        // Re-encode the payload with another offset but keep the old signature.
        var forged = codec.Encode(state with { Offset = 0 }).Split('.')[0] + "." + cursor.Split('.')[1];
        var e = Assert.Throws<InvalidCursorException>(() => pipeline.NextPage(forged, 5));

        Assert.Equal(CursorProblem.Tampered, e.Problem);
    }

    [Fact]
    public void A_cursor_signed_with_another_key_is_refused()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(30, 3));
        var listId = pipeline.Recommend(ServingFixtures.Request(30, count: 5)).RecommendationId;
        var otherKey = new CursorCodec([.. Enumerable.Repeat((byte)7, 32)]);
        var cursor = otherKey.Encode(new CursorState(listId, 5, DateTimeOffset.UtcNow.AddHours(1)));

        var e = Assert.Throws<InvalidCursorException>(() => pipeline.NextPage(cursor, 5));

        Assert.Equal(CursorProblem.Tampered, e.Problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-cursor")]
    [InlineData("%%%.###")]
    public void Garbage_is_a_malformed_cursor(string cursor)
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(3, 3));

        var e = Assert.Throws<InvalidCursorException>(() => pipeline.NextPage(cursor, 5));

        Assert.Equal(CursorProblem.Malformed, e.Problem);
    }

    [Fact]
    public void An_expired_cursor_is_refused()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new PipelineOptions(Diversity: DiversityOptions.None, CursorLifetimeSeconds: 60);
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(30, 3), options, clock);
        var cursor = pipeline.Recommend(ServingFixtures.Request(30, count: 5)).NextCursor!;

        clock.Now += TimeSpan.FromSeconds(61);
        var e = Assert.Throws<InvalidCursorException>(() => pipeline.NextPage(cursor, 5));

        Assert.Equal(CursorProblem.Expired, e.Problem);
    }

    [Fact]
    public void A_cursor_whose_list_was_evicted_is_refused()
    {
        var options = new PipelineOptions(Diversity: DiversityOptions.None, CacheCapacity: 2);
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(30, 3), options);
        var cursor = pipeline.Recommend(ServingFixtures.Request(30, count: 5)).NextCursor!;
        pipeline.Recommend(ServingFixtures.Request(30, count: 5));
        pipeline.Recommend(ServingFixtures.Request(30, count: 5));

        var e = Assert.Throws<InvalidCursorException>(() => pipeline.NextPage(cursor, 5));

        Assert.Equal(CursorProblem.UnknownList, e.Problem);
    }

    [Fact]
    public void The_cache_keeps_recently_used_lists()
    {
        var cache = new RankedListCache(2);
        var far = DateTimeOffset.UtcNow.AddHours(1);
        cache.Add(new RankedList("a", [], far));
        cache.Add(new RankedList("b", [], far));
        Assert.True(cache.TryGet("a", out _));

        cache.Add(new RankedList("c", [], far));

        Assert.True(cache.TryGet("a", out _));
        Assert.False(cache.TryGet("b", out _));
        Assert.Equal(2, cache.Count);
    }
}
