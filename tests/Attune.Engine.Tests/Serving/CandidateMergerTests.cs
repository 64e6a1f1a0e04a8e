using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Serving;

public class CandidateMergerTests
{
    [Fact]
    public void Merge_sums_weighted_normalized_scores_and_explains_with_the_strongest_source()
    {
        var viewed = Reason.BecauseYouViewed("i9", "Boots");
        CandidateSource[] sources =
        [
            new("factor", 1.0, [new Candidate(1, 10, "factor", Reason.SimilarUsers), new Candidate(2, 5, "factor", Reason.SimilarUsers)]),
            new("item-knn", 3.0, [new Candidate(2, 0.8, "item-knn", viewed), new Candidate(3, 0.4, "item-knn", viewed)]),
        ];

        var merged = CandidateMerger.Merge(sources, ScoreNormalization.Max).ToDictionary(c => c.Item);

        Assert.Equal(1.0, merged[1].Score, 12);
        Assert.Equal(0.5 + 3.0, merged[2].Score, 12);
        Assert.Equal(1.5, merged[3].Score, 12);
        Assert.Equal("item-knn", merged[2].Source);
        Assert.Equal(ReasonKind.BecauseYouViewed, merged[2].Reason!.Kind);
        Assert.Equal("because you viewed Boots", merged[2].Reason!.Text);
        Assert.Equal("i9", merged[2].Reason!.ItemId);
    }

    [Fact]
    public void Rank_normalization_ignores_the_score_scale()
    {
        CandidateSource[] sources = [new("trending", 1, [new Candidate(7, 1e9, "trending"), new Candidate(8, 2, "trending"), new Candidate(9, 1, "trending")])];

        var merged = CandidateMerger.Merge(sources, ScoreNormalization.Rank).ToDictionary(c => c.Item);

        Assert.Equal(1.0, merged[7].Score, 12);
        Assert.Equal(2.0 / 3, merged[8].Score, 12);
        Assert.Equal(1.0 / 3, merged[9].Score, 12);
    }

    [Fact]
    public void A_source_proposing_an_item_twice_counts_its_best_score_once()
    {
        CandidateSource[] sources = [new("content", 1, [new Candidate(1, 4, "content"), new Candidate(1, 2, "content")])];

        var merged = CandidateMerger.Merge(sources, ScoreNormalization.Max);

        Assert.Equal(1.0, Assert.Single(merged).Score, 12);
    }

    [Fact]
    public void A_weaker_source_proposing_an_item_twice_still_counts_once()
    {
        CandidateSource[] sources =
        [
            new("factor", 10, [new Candidate(1, 1, "factor")]),
            new("content", 1, [new Candidate(1, 1, "content"), new Candidate(2, 2, "content"), new Candidate(1, 2, "content")]),
        ];

        var merged = CandidateMerger.Merge(sources, ScoreNormalization.Max).ToDictionary(c => c.Item);

        Assert.Equal(11.0, merged[1].Score, 12);
        Assert.Equal("factor", merged[1].Source);
    }

    [Fact]
    public void Sparse_or_negative_item_indices_merge_like_dense_ones()
    {
        CandidateSource[] sources =
        [
            new("a", 1, [new Candidate(-5, 2, "a"), new Candidate(1 << 26, 1, "a")]),
            new("b", 1, [new Candidate(1 << 26, 1, "b")]),
        ];

        var merged = CandidateMerger.Merge(sources, ScoreNormalization.Max).ToDictionary(c => c.Item);

        Assert.Equal(1.0, merged[-5].Score, 12);
        Assert.Equal(1.5, merged[1 << 26].Score, 12);
    }

    [Fact]
    public void A_negative_weight_is_a_request_error_naming_the_source()
    {
        CandidateSource[] sources = [new("factor", -1, [new Candidate(1, 1, "factor")])];

        var e = Assert.Throws<RecommendationRequestException>(() => CandidateMerger.Merge(sources, ScoreNormalization.Max));

        Assert.Contains("factor", e.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Reasons_carry_their_data()
    {
        Assert.Equal("shoes", Reason.PopularIn("shoes").Category);
        Assert.Equal("popular in shoes", Reason.PopularIn("shoes").Text);
        Assert.Equal(ReasonKind.NewIn, Reason.NewIn("books").Kind);
        Assert.Equal(ReasonKind.Trending, Reason.Trending.Kind);
    }

    [Fact]
    public void Few_candidates_in_a_million_item_catalog_merge_as_they_would_in_a_small_one()
    {
        // The same candidates with indices spread over 1M items (hashed slots) and packed into 0..n (dense slots).
        static CandidateSource[] Sources(Func<int, int> index) =>
        [
            new("a", 1, [.. Enumerable.Range(0, 50).Select(k => new Candidate(index(k), 50 - k, "a"))]),
            new("b", 0.5, [.. Enumerable.Range(25, 50).Select(k => new Candidate(index(k), k, "b"))]),
        ];

        var spread = CandidateMerger.Merge(Sources(k => k * 13_331), ScoreNormalization.Max);
        var packed = CandidateMerger.Merge(Sources(k => k), ScoreNormalization.Max);

        Assert.Equal(packed.Length, spread.Length);
        Assert.Equal(packed.Select(c => (c.Item * 13_331, c.Score, c.Source)), spread.Select(c => (c.Item, c.Score, c.Source)));
    }
}
