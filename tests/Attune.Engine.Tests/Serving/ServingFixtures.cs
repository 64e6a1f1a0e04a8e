using Attune.Core;
using Attune.Core.Expressions;
using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Serving;

/// <summary>Small catalogs and candidate lists whose right answers are easy to see.</summary>
internal static class ServingFixtures
{
    public static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    /// <summary>Items i0..i{n-1}; item i is in category "c{i % categories}", priced i, available unless listed.</summary>
    public static Item[] Items(int n, int categories, params int[] unavailable) =>
        [.. Enumerable.Range(0, n).Select(i => new Item(
            $"i{i}",
            Title: $"Item {i}",
            Categories: [$"c{i % categories}"],
            Tags: i % 7 == 0 ? ["sale"] : [],
            Price: i,
            Available: !unavailable.Contains(i)))];

    /// <summary>One source scoring item i with n - i: relevance order is 0, 1, 2, ...</summary>
    public static CandidateSource Descending(int n, string name = "factor", double weight = 1) =>
        new(name, weight, [.. Enumerable.Range(0, n).Select(i => new Candidate(i, n - i, name, Reason.SimilarUsers))]);

    public static RecommendationPipeline Pipeline(Item[] items, PipelineOptions? options = null, TimeProvider? clock = null, IItemSimilarity? similarity = null) =>
        new(options ?? new PipelineOptions(Diversity: DiversityOptions.None), new ServingCatalog(items), ItemSchema.Create(), Key, similarity, clock);

    public static RecommendationRequest Request(int n, int count = 10, string id = "req-1") => new(id, [Descending(n)], count);

    public static int[] Indices(IEnumerable<Candidate> list) => [.. list.Select(c => c.Item)];
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
