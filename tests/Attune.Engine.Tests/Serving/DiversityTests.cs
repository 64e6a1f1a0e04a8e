using Attune.Core;
using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Serving;

public class DiversityTests
{
    // Relevance order puts whole categories together: items 0-9 in c0, 10-19 in c1, ... so a plain top-10 is all c0.
    private static Item[] BlockCatalog(int perCategory, int categories) =>
        [.. Enumerable.Range(0, perCategory * categories).Select(i => new Item($"i{i}", Categories: [$"c{i / perCategory}"]))];

    private static int DistinctCategories(IReadOnlyList<Candidate> list, int count, int perCategory) =>
        list.Take(count).Select(c => c.Item / perCategory).Distinct().Count();

    [Fact]
    public void Mmr_with_lambda_one_equals_relevance_order()
    {
        var pipeline = ServingFixtures.Pipeline(BlockCatalog(10, 5), new PipelineOptions(Diversity: new DiversityOptions(Lambda: 1)));

        var list = ServingFixtures.Indices(pipeline.Rank(ServingFixtures.Request(50)));

        Assert.Equal(Enumerable.Range(0, 50), list);
    }

    [Fact]
    public void Lowering_lambda_increases_category_spread_in_the_top_ten()
    {
        var spread = new List<int>();
        foreach (var lambda in new[] { 1.0, 0.9, 0.5 })
        {
            var pipeline = ServingFixtures.Pipeline(BlockCatalog(10, 5), new PipelineOptions(Diversity: new DiversityOptions(Lambda: lambda)));
            spread.Add(DistinctCategories(pipeline.Rank(ServingFixtures.Request(50)), 10, 10));
        }

        Assert.Equal(1, spread[0]);
        Assert.True(spread[1] > spread[0], $"spread by lambda 1, 0.9, 0.5: {string.Join(", ", spread)}");
        Assert.True(spread[2] >= spread[1], $"spread by lambda 1, 0.9, 0.5: {string.Join(", ", spread)}");
        Assert.Equal(5, spread[2]);
    }

    [Fact]
    public void Mmr_still_starts_with_the_most_relevant_item()
    {
        var pipeline = ServingFixtures.Pipeline(BlockCatalog(10, 5), new PipelineOptions(Diversity: new DiversityOptions(Lambda: 0.3)));

        var list = pipeline.Rank(ServingFixtures.Request(50));

        Assert.Equal(0, list[0].Item);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.7)]
    [InlineData(0.0)]
    public void The_category_cap_holds_for_any_lambda(double lambda)
    {
        var pipeline = ServingFixtures.Pipeline(BlockCatalog(10, 5), new PipelineOptions(Diversity: new DiversityOptions(lambda, MaxPerCategory: 2)));

        var list = pipeline.Rank(ServingFixtures.Request(50));

        Assert.Equal(10, list.Length);
        Assert.All(list.GroupBy(c => c.Item / 10), g => Assert.Equal(2, g.Count()));
    }

    [Fact]
    public void The_cap_reaches_past_the_mmr_pool_to_fill_the_list()
    {
        var options = new PipelineOptions(ListLength: 10, Diversity: new DiversityOptions(0.7, MaxPerCategory: 2, PoolSize: 10));
        var pipeline = ServingFixtures.Pipeline(BlockCatalog(10, 5), options);

        var list = pipeline.Rank(ServingFixtures.Request(50));

        Assert.Equal(10, list.Length);
        Assert.Equal(5, DistinctCategories(list, 10, 10));
    }

    [Fact]
    public void A_pluggable_vector_similarity_steers_mmr()
    {
        // Items 0 and 1 point the same way, item 2 elsewhere: MMR should pick 2 second despite lower relevance.
        float[]?[] vectors = [[1, 0], [1, 0.01f], [0, 1]];
        Item[] items = [new("a"), new("b"), new("c")];
        var options = new PipelineOptions(Diversity: new DiversityOptions(Lambda: 0.5));
        var pipeline = ServingFixtures.Pipeline(items, options, similarity: new VectorCosineSimilarity(vectors));
        var request = new RecommendationRequest("r", [new CandidateSource("factor", 1, [new(0, 1.0, "factor"), new(1, 0.95, "factor"), new(2, 0.9, "factor")])]);

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.Equal([0, 2, 1], list);
    }

    [Fact]
    public void Category_jaccard_is_overlap_over_union()
    {
        var catalog = new ServingCatalog([new Item("a", Categories: ["x", "y"]), new Item("b", Categories: ["y", "z", "y"]), new Item("c")]);
        var similarity = new CategoryJaccardSimilarity(catalog);

        Assert.Equal(1.0 / 3, similarity.Similarity(0, 1), 12);
        Assert.Equal(1.0, similarity.Similarity(0, 0), 12);
        Assert.Equal(0.0, similarity.Similarity(0, 2), 12);
    }

    [Fact]
    public void Lambda_outside_zero_to_one_is_a_request_error()
    {
        var pipeline = ServingFixtures.Pipeline(BlockCatalog(2, 2));
        var request = ServingFixtures.Request(4) with { Diversity = new DiversityOptions(Lambda: 1.5) };

        var e = Assert.Throws<RecommendationRequestException>(() => pipeline.Rank(request));

        Assert.Equal("diversity.lambda", e.Field);
    }

    [Theory]
    [InlineData(0.0, 0, 8)]
    [InlineData(0.3, 2, 8)]
    [InlineData(0.7, 3, 8)]
    [InlineData(0.7, 0, 8)]
    [InlineData(0.95, 1, 8)]
    [InlineData(0.7, 2, 200)]
    public void Mmr_over_category_sets_picks_exactly_what_pairwise_mmr_picks(double lambda, int cap, int categories)
    {
        // Items with 0-3 categories, so many share a set (with 8) or the pool spans more than 64 (with 200), and scores
        // with ties; the grouped selection must agree with the item-by-item one (the same similarity behind an opaque
        // wrapper) on every request.
        var rng = new Random(17);
        var items = Enumerable.Range(0, 400).Select(i => new Item(
            $"i{i}",
            Categories: [.. Enumerable.Range(0, rng.Next(4)).Select(_ => $"c{rng.Next(categories)}").Distinct()])).ToArray();
        var catalog = new ServingCatalog(items);
        var jaccard = new CategoryJaccardSimilarity(catalog);
        var options = new DiversityOptions(lambda, cap, PoolSize: 150);
        for (var request = 0; request < 20; request++)
        {
            var ranked = Enumerable.Range(0, 400).Select(i => new Candidate(i, rng.Next(50), "s", null))
                .OrderByDescending(c => c.Score).ThenBy(c => c.Item).ToArray();
            var grouped = new List<Candidate>();
            var pairwise = new List<Candidate>();

            Diversifier.Select(catalog, ranked, 100, options, jaccard, new int[catalog.CategoryCount], grouped);
            Diversifier.Select(catalog, ranked, 100, options, new Opaque(jaccard), new int[catalog.CategoryCount], pairwise);

            Assert.Equal(ServingFixtures.Indices(pairwise), ServingFixtures.Indices(grouped));
        }
    }

    [Fact]
    public void Items_with_the_same_categories_in_any_order_share_a_category_set_id()
    {
        var catalog = new ServingCatalog([
            new Item("ab", Categories: ["a", "b"]),
            new Item("ba", Categories: ["b", "a", "b"]),
            new Item("a", Categories: ["a"]),
            new Item("none"),
            null,
        ]);

        Assert.Equal(catalog.CategorySetId(0), catalog.CategorySetId(1));
        Assert.NotEqual(catalog.CategorySetId(0), catalog.CategorySetId(2));
        Assert.Equal(0, catalog.CategorySetId(3));
        Assert.Equal(0, catalog.CategorySetId(4));
        Assert.Equal(0, catalog.CategorySetId(99));
        Assert.Equal(3, catalog.CategorySetCount);
    }

    private sealed class Opaque(IItemSimilarity inner) : IItemSimilarity
    {
        public double Similarity(int a, int b) => inner.Similarity(a, b);
    }
}
