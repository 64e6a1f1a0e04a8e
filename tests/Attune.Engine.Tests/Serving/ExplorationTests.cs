using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Serving;

public class ExplorationTests
{
    [Theory]
    [InlineData(0.1, 30, new[] { 9, 19, 29 })]
    [InlineData(0.25, 12, new[] { 3, 7, 11 })]
    [InlineData(0.2, 4, new int[0])]
    [InlineData(0.0, 100, new int[0])]
    public void Slot_positions_follow_the_documented_formula(double share, int length, int[] expected)
    {
        Assert.Equal(expected, Exploration.SlotPositions(share, length));
    }

    [Fact]
    public void The_exploration_share_is_respected_and_lands_in_its_slots()
    {
        var options = new PipelineOptions(ListLength: 50, Diversity: DiversityOptions.None, Exploration: new ExplorationOptions(0.2));
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(200, 4), options);
        var request = ServingFixtures.Request(100) with { ExplorationPool = [.. Enumerable.Range(150, 50)] };

        var list = pipeline.Rank(request);

        var explored = list.Select((c, i) => (c, i)).Where(x => x.c.Source == Exploration.SourceName).ToArray();
        Assert.Equal(50, list.Length);
        Assert.Equal(10, explored.Length);
        Assert.Equal(Exploration.SlotPositions(0.2, 50), explored.Select(x => x.i));
        Assert.All(explored, x => Assert.InRange(x.c.Item, 150, 199));
        Assert.All(explored, x => Assert.Equal(ReasonKind.Exploration, x.c.Reason!.Kind));
        // The ranked items keep their order around the exploration slots.
        Assert.Equal(Enumerable.Range(0, 40), list.Where(c => c.Source != Exploration.SourceName).Select(c => c.Item));
    }

    [Fact]
    public void Exploration_is_deterministic_per_request_id_and_rotates_across_ids()
    {
        var options = new PipelineOptions(ListLength: 20, Diversity: DiversityOptions.None, Exploration: new ExplorationOptions(0.25));
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(500, 4), options);
        int[] Explored(string id) =>
            [.. pipeline.Rank(ServingFixtures.Request(100, id: id) with { ExplorationPool = [.. Enumerable.Range(100, 400)] })
                .Where(c => c.Source == Exploration.SourceName).Select(c => c.Item)];

        var first = Explored("user-1/42");
        var again = Explored("user-1/42");
        var other = Explored("user-2/7");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Exploration_items_respect_the_filters_and_never_duplicate_ranked_items()
    {
        var options = new PipelineOptions(ListLength: 20, Diversity: DiversityOptions.None, Exploration: new ExplorationOptions(0.5));
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(40, 4), options);
        var request = ServingFixtures.Request(40) with { ExplorationPool = [0, 1, 30, 31, 32], Exclude = new HashSet<int> { 31 } };

        var list = pipeline.Rank(request);

        Assert.Equal(list.Length, list.Select(c => c.Item).Distinct().Count());
        Assert.DoesNotContain(31, list.Select(c => c.Item));
        Assert.Equal([30, 32], list.Where(c => c.Source == Exploration.SourceName).Select(c => c.Item).Order());
    }
}
