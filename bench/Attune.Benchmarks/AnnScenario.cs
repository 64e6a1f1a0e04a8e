using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Attune.Numerics;
using Attune.Numerics.Ann;

namespace Attune.Benchmarks;

/// <summary>
/// HNSW maximum-inner-product top-10 against an exact scan on a synthetic factor catalog: build time and
/// rate, index memory, p50/p99 query latency and recall@10 for several beam widths.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release --project bench/Attune.Benchmarks -- ann [--items 1000000] [--dim 64]
/// [--queries 1000] [--m 16] [--ef-construction 100] [--ef 50,100,200,400]</c>. Items look like trained factors:
/// 200 Gaussian cluster centres plus noise, scaled by Pareto(3) norms; users are drawn around the same centres.
/// </remarks>
public sealed class AnnScenario : IScenario
{
    private const int K = 10;

    public string Name => "ann";

    public string Description => "HNSW inner-product top-10 vs exact scan: build rate, memory, p50/p99 latency, recall@10";

    public Task<int> RunAsync(string[] args)
    {
        var items = IntArg(args, "--items", 1_000_000);
        var dim = IntArg(args, "--dim", 64);
        var queries = IntArg(args, "--queries", 1_000);
        var options = new HnswOptions(M: IntArg(args, "--m", 16), EfConstruction: IntArg(args, "--ef-construction", 100));
        var efs = (StringArg(args, "--ef") ?? "50,100,200,400").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        var (vectors, users) = SyntheticVectors.Clustered(items, dim, queries, seed: 1);
        Console.WriteLine(Invariant($"## ann: {items:N0} items x {dim} factors, {queries:N0} user queries, top-{K}"));
        Console.WriteLine();

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var index = HnswIndex.Build(vectors, dim, options);
        sw.Stop();
        var buildCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine("| options | build s (wall) | build CPU s | items/s | layers | index MB (vectors + graph) | managed heap growth MB |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(Invariant(
            $"| {options} | {sw.Elapsed.TotalSeconds:F1} | {buildCpu:F1} | {items / sw.Elapsed.TotalSeconds:N0} | {index.Layers} | {index.MemoryBytes / 1048576.0:F0} | {(after - before) / 1048576.0:F0} |"));
        Console.WriteLine();

        var truth = new int[queries * K];
        var scores = new float[items];
        var ids = new int[K];
        var values = new float[K];
        var exactLatency = new double[queries];
        for (var q = 0; q < queries; q++)
        {
            var query = users.AsSpan(q * dim, dim);
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < items; i++)
            {
                scores[i] = TensorPrimitives.Dot(query, vectors.AsSpan(i * dim, dim));
            }

            TopK.Select(scores, K, truth.AsSpan(q * K, K), values);
            exactLatency[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        Console.WriteLine("| method | efSearch | p50 ms | p99 ms | mean ms | recall@10 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(Invariant($"| exact scan (TensorPrimitives.Dot + TopK) | - | {Percentile(exactLatency, 0.50):F3} | {Percentile(exactLatency, 0.99):F3} | {exactLatency.Average():F3} | 1.000 |"));
        for (var q = 0; q < Math.Min(queries, 100); q++)
        {
            index.Search(users.AsSpan(q * dim, dim), K, ids, values, efs[0]);
        }

        foreach (var ef in efs)
        {
            var latency = new double[queries];
            var hits = 0;
            for (var q = 0; q < queries; q++)
            {
                var query = users.AsSpan(q * dim, dim);
                var t0 = Stopwatch.GetTimestamp();
                var n = index.Search(query, K, ids, values, ef);
                latency[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                var expected = truth.AsSpan(q * K, K);
                for (var i = 0; i < n; i++)
                {
                    hits += expected.Contains(ids[i]) ? 1 : 0;
                }
            }

            Console.WriteLine(Invariant(
                $"| HNSW | {ef} | {Percentile(latency, 0.50):F3} | {Percentile(latency, 0.99):F3} | {latency.Average():F3} | {hits / (double)(queries * K):F3} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Latencies are single-threaded, one query at a time, after 100 warm-up searches; the exact scan is timed cold on its first query.");
        Console.WriteLine(Scenarios.MachineLine());
        return Task.FromResult(0);
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
