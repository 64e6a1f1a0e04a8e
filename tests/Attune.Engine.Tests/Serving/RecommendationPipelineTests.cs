using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Serving;

public class RecommendationPipelineTests
{
    [Fact]
    public void Options_ToString_lists_every_parameter()
    {
        var options = new PipelineOptions(GlobalFilter: "available", GlobalRules: [BusinessRule.Pin("price < 5", 2)]);

        var text = options.ToString();

        foreach (var name in new[]
        {
            "Normalization", "ListLength", "MaxPageSize", "Lambda", "MaxPerCategory", "PoolSize", "Share",
            "DropUnavailable", "GlobalFilter = available", "pin(price < 5; at 2)", "CursorLifetimeSeconds", "CacheCapacity",
        })
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_response_carries_scores_sources_and_reasons()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));
        var viewed = Reason.BecauseYouViewed("i3", "Item 3");
        var request = new RecommendationRequest("r", [
            ServingFixtures.Descending(10),
            new CandidateSource("item-knn", 2, [new Candidate(9, 1, "item-knn", viewed)]),
        ]);

        var response = pipeline.Recommend(request);

        Assert.False(string.IsNullOrEmpty(response.RecommendationId));
        var top = response.Items[0];
        Assert.Equal("i9", top.ItemId);
        Assert.Equal("item-knn", top.Source);
        Assert.Equal(viewed, top.Reason);
        Assert.Equal(2.1, top.Score, 9);
        Assert.True(response.Items.Zip(response.Items.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void Ties_are_ordered_by_item_index_whatever_the_input_order()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(50, 5));
        var shuffled = Enumerable.Range(0, 50).OrderBy(i => (i * 37) % 50).Select(i => new Candidate(i, 1.0, "trending")).ToArray();

        var list = pipeline.Rank(new RecommendationRequest("r", [new CandidateSource("trending", 1, shuffled)]));

        Assert.Equal(Enumerable.Range(0, 50), ServingFixtures.Indices(list));
    }

    [Fact]
    public void A_page_size_beyond_the_limit_is_a_request_error()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));

        var e = Assert.Throws<RecommendationRequestException>(() => pipeline.Recommend(ServingFixtures.Request(10, count: 101)));

        Assert.Equal("count", e.Field);
    }

    [Fact]
    public void A_bad_global_filter_fails_at_construction_with_its_field()
    {
        var e = Assert.Throws<RecommendationRequestException>(() =>
            ServingFixtures.Pipeline(ServingFixtures.Items(3, 1), new PipelineOptions(GlobalFilter: "price <")));

        Assert.Equal("globalFilter", e.Field);
        Assert.NotNull(e.Column);
    }

    [Fact]
    public void No_sources_gives_an_empty_page()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(3, 1));

        var response = pipeline.Recommend(new RecommendationRequest("r", []));

        Assert.Empty(response.Items);
        Assert.Null(response.NextCursor);
    }

    [Fact]
    public void Candidates_outside_the_catalog_are_dropped()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(3, 1));

        var list = pipeline.Rank(ServingFixtures.Request(10));

        Assert.Equal([0, 1, 2], ServingFixtures.Indices(list));
    }
}
