using System.Text.Json;
using Attune.Core;
using Attune.Core.Expressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Attune.Benchmarks;

/// <summary>
/// Cost per item of a compiled filter against the same filter written by hand in C#.
/// Run: <c>dotnet run -c Release --project bench/Attune.Benchmarks -- micro --filter *ExpressionBenchmarks*</c>.
/// The per-item figures come from <c>OperationsPerInvoke</c>: one invocation scans all items.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class ExpressionBenchmarks
{
    private const int ItemCount = 1_000_000;
    private const int HotCount = 4096;
    private const int HotRounds = 244;
    private const string Filter = "category in [\"shoes\", \"bags\"] and price < 100 and not tags contains \"adult\"";
    private const string PropertyFilter = "properties.brand == \"acme\" and properties.rating >= 4 and available";

    private Item[] _items = [];
    private RecordBinder<Item> _binder = ItemSchema.Create();
    private Func<Item, bool> _compiled = _ => false;
    private Func<Item, bool> _compiledProperties = _ => false;
    private Func<Item, bool> _handWritten = _ => false;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        string[][] categories = [["shoes"], ["bags"], ["shoes", "outdoor"], ["books"], ["toys", "kids"], ["garden"]];
        string[][] tags = [[], ["sale"], ["adult"], ["new", "sale"], ["adult", "sale", "limited"]];
        string[] brands = ["acme", "globex", "initech", "umbrella"];
        var properties = new Dictionary<string, JsonElement>[32];
        for (var i = 0; i < properties.Length; i++)
        {
            properties[i] = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
                $$"""{"brand":"{{brands[i % brands.Length]}}","rating":{{(i % 5) + 1}},"color":"c{{i}}"}""")!;
        }

        _items = new Item[ItemCount];
        for (var i = 0; i < ItemCount; i++)
        {
            _items[i] = new Item(
                $"item-{i}",
                Categories: categories[random.Next(categories.Length)],
                Tags: tags[random.Next(tags.Length)],
                Price: random.Next(0, 200),
                Available: random.Next(10) > 0,
                Properties: properties[random.Next(properties.Length)]);
        }

        _binder = ItemSchema.Create(sample: _items.Take(1000));
        _compiled = _binder.CompilePredicate(Filter).AsFunc();
        _compiledProperties = _binder.CompilePredicate(PropertyFilter).AsFunc();
        _handWritten = item =>
            (item.Categories.Contains("shoes") || item.Categories.Contains("bags"))
            && item.Price < 100
            && !item.Tags.Contains("adult");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ItemCount)]
    public int HandWrittenCSharp() => Count(_handWritten);

    [Benchmark(OperationsPerInvoke = ItemCount)]
    public int CompiledThreeClauseFilter() => Count(_compiled);

    [Benchmark(OperationsPerInvoke = ItemCount)]
    public int CompiledJsonPropertyFilter() => Count(_compiledProperties);

    /// <summary>The same filters over 4,096 items scanned 244 times: the evaluator's own cost without cache misses.</summary>
    [Benchmark(OperationsPerInvoke = HotCount * HotRounds)]
    public int HandWrittenCSharpHotCache() => CountHot(_handWritten);

    [Benchmark(OperationsPerInvoke = HotCount * HotRounds)]
    public int CompiledThreeClauseFilterHotCache() => CountHot(_compiled);

    [Benchmark]
    public ExpressionPredicate<Item> ParseCheckCompile() => _binder.CompilePredicate(Filter);

    private int CountHot(Func<Item, bool> predicate)
    {
        var count = 0;
        var hot = _items.AsSpan(0, HotCount);
        for (var round = 0; round < HotRounds; round++)
        {
            foreach (var item in hot)
            {
                if (predicate(item))
                {
                    count++;
                }
            }
        }

        return count;
    }

    private int Count(Func<Item, bool> predicate)
    {
        var count = 0;
        foreach (var item in _items)
        {
            if (predicate(item))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// In-process: the benchmarked code is all in already-built assemblies, and on a busy build machine
    /// generating and compiling BenchmarkDotNet's separate host project can exceed its two-minute build timeout.
    /// </summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default
                .WithWarmupCount(3)
                .WithIterationCount(10)
                .WithToolchain(InProcessEmitToolchain.Instance));
    }
}
