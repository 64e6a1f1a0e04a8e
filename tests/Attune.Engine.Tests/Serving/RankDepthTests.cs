using Attune.Core;
using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Serving;

public class RankDepthTests
{
    // Items in several categories, some sharing two, with random scores: MMR, caps and buried items all act.
    private static Item[] Catalog(Random rng, int n) =>
        [.. Enumerable.Range(0, n).Select(i => new Item(
            $"i{i}",
            Categories: rng.Next(4) == 0 ? [$"c{i % 6}", $"c{(i + 1) % 6}"] : [$"c{i % 6}"],
            Tags: i % 5 == 0 ? ["sale"] : [],
            Price: i))];

    private static CandidateSource RandomSource(Random rng, int n) =>
        new("factor", 1, [.. Enumerable.Range(0, n).Select(i => new Candidate(i, Math.Round(rng.NextDouble(), 2), "factor", Reason.SimilarUsers))]);

    [Fact]
    public void Rank_with_a_depth_returns_the_first_ranks_of_the_whole_list_for_any_options()
    {
        var rng = new Random(17);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = rng.Next(1, 120);
            var diversity = new DiversityOptions(
                Lambda: rng.Next(4) switch { 0 => 1.0, 1 => 0.0, _ => rng.NextDouble() },
                MaxPerCategory: rng.Next(3) == 0 ? rng.Next(1, 4) : 0,
                PoolSize: rng.Next(3) == 0 ? rng.Next(0, 15) : 300);
            IReadOnlyList<BusinessRule> rules = rng.Next(3) switch
            {
                0 => [BusinessRule.Bury("tags contains \"sale\"")],
                1 => [BusinessRule.Boost("price > 50", 2), BusinessRule.Pin("tags contains \"sale\"", rng.Next(0, 5))],
                _ => [],
            };
            var explore = rng.Next(4) == 0;
            var options = new PipelineOptions(ListLength: rng.Next(1, 40), Diversity: diversity, Exploration: new ExplorationOptions(explore ? 0.25 : 0));
            var pipeline = ServingFixtures.Pipeline(Catalog(rng, Math.Max(n, 60)), options);
            var request = new RecommendationRequest($"r{trial}", [RandomSource(rng, n)], 5, Rules: rules,
                ExplorationPool: explore ? [.. Enumerable.Range(n, 10)] : null);
            var depth = rng.Next(1, 12);

            var full = pipeline.Rank(request);
            var head = pipeline.Rank(request, depth);

            Assert.True(
                ServingFixtures.Indices(full.Take(depth)).SequenceEqual(ServingFixtures.Indices(head)),
                $"trial {trial}: depth {depth}, {options}, rules [{string.Join(", ", rules)}]: full [{string.Join(",", ServingFixtures.Indices(full))}] head [{string.Join(",", ServingFixtures.Indices(head))}]");
            Assert.Equal(full.Take(depth).Select(c => c.Score), head.Select(c => c.Score));
        }
    }

    [Fact]
    public void Rank_with_a_depth_below_one_is_refused()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));

        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Rank(ServingFixtures.Request(10), 0));
    }
}
