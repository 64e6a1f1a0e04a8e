using Attune.Core;
using Attune.Core.Expressions;
using Attune.Engine.Campaigns;
using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Campaigns;

public sealed class RecommendationBlocksTests
{
    [Fact]
    public void Pipeline_blocks_take_the_best_items_of_the_asked_category()
    {
        var items = Enumerable.Range(0, 10).Select(i => (Item?)new Item($"i{i}", Title: $"T{i}", Categories: [i % 2 == 0 ? "even" : "odd"])).ToArray();
        var catalog = new ServingCatalog(items);
        var pipeline = new RecommendationPipeline(new PipelineOptions(Diversity: DiversityOptions.None), catalog, ItemSchema.Create(), new byte[32]);
        IReadOnlyList<CandidateSource> sources = [new CandidateSource("popularity", 1, [.. Enumerable.Range(0, 10).Select(i => new Candidate(i, 10 - i, "popularity"))])];
        var blocks = new PipelineRecommendationBlocks(() => pipeline, () => catalog, _ => sources);

        var odd = blocks.Recommend("u1", null, 3, "odd");
        var any = blocks.Recommend("u1", null, 2, null);

        Assert.Equal(["i1", "i3", "i5"], odd.Select(i => i.Id));
        Assert.Equal(["i0", "i1"], any.Select(i => i.Id));
        Assert.Equal("T1", odd[0].Title);
    }

    [Fact]
    public void Without_a_pipeline_blocks_are_empty()
    {
        var blocks = new PipelineRecommendationBlocks(() => null, () => null, _ => []);

        Assert.Empty(blocks.Recommend("u1", null, 3, null));
    }
}
