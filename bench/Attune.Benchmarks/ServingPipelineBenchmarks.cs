using Attune.Core;
using Attune.Core.Expressions;
using Attune.Engine.Serving;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Attune.Benchmarks;

/// <summary>
/// One recommendation request through the in-process ranking pipeline: 3,000 candidates from three sources
/// (an ML-1M-size catalog is ~3,700 items), a request filter expression, MMR (lambda 0.7, pool 300) and a
/// category cap of 3. The target for the service is p99 &lt;= 1 ms for top-10.
/// Run: <c>dotnet run -c Release --project bench/Attune.Benchmarks -- micro --filter *ServingPipelineBenchmarks*</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class ServingPipelineBenchmarks
{
    private const int ItemCount = 3_000;
    private const string Filter = "price < 150 and not tags contains \"adult\"";

    private RecommendationPipeline _top10 = null!;
    private RecommendationPipeline _top100 = null!;
    private RecommendationPipeline _relevanceOnly = null!;
    private RecommendationRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        string[] genres = ["action", "adventure", "animation", "children", "comedy", "crime", "documentary", "drama", "fantasy",
            "film-noir", "horror", "musical", "mystery", "romance", "sci-fi", "thriller", "war", "western"];
        var items = new Item[ItemCount];
        for (var i = 0; i < ItemCount; i++)
        {
            var categories = new string[1 + random.Next(3)];
            for (var c = 0; c < categories.Length; c++)
            {
                categories[c] = genres[random.Next(genres.Length)];
            }

            items[i] = new Item($"m{i}", Categories: categories, Tags: random.Next(20) == 0 ? ["adult"] : [], Price: random.Next(0, 200), Available: random.Next(50) > 0);
        }

        var catalog = new ServingCatalog(items);
        var binder = ItemSchema.Create();
        var key = new byte[32];
        random.NextBytes(key);
        var diversity = new DiversityOptions(Lambda: 0.7, MaxPerCategory: 3, PoolSize: 300);
        _top10 = new RecommendationPipeline(new PipelineOptions(ListLength: 10, Diversity: diversity), catalog, binder, key);
        _top100 = new RecommendationPipeline(new PipelineOptions(ListLength: 100, Diversity: diversity), catalog, binder, key);
        _relevanceOnly = new RecommendationPipeline(new PipelineOptions(ListLength: 10, Diversity: DiversityOptions.None), catalog, binder, key);

        _request = new RecommendationRequest(
            "bench",
            [Source("factor", 1.0, ItemCount, random), Source("item-knn", 0.5, 500, random), Source("trending", 0.2, 200, random)],
            Count: 10,
            Seen: new HashSet<int>(Enumerable.Range(0, 100).Select(_ => random.Next(ItemCount))),
            Filter: Filter);
    }

    [Benchmark(Baseline = true)]
    public int RelevanceOnlyTop10() => _relevanceOnly.Rank(_request).Length;

    [Benchmark]
    public int FilterMmrCapTop10() => _top10.Rank(_request).Length;

    /// <summary>Ranks and caches a 100-item list (ten pages) and returns the first page with a signed cursor.</summary>
    [Benchmark]
    public int FilterMmrCapRecommend100() => _top100.Recommend(_request).Items.Count;

    private static CandidateSource Source(string name, double weight, int count, Random random)
    {
        var candidates = new Candidate[count];
        for (var i = 0; i < count; i++)
        {
            candidates[i] = new Candidate(count == ItemCount ? i : random.Next(ItemCount), random.NextDouble() * 5, name, Reason.SimilarUsers);
        }

        return new CandidateSource(name, weight, candidates);
    }

    /// <summary>In-process, as for <see cref="ExpressionBenchmarks"/>: the busy build machine can time out BenchmarkDotNet's host build.</summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default
                .WithWarmupCount(3)
                .WithIterationCount(10)
                .WithToolchain(InProcessEmitToolchain.Instance));
    }
}
