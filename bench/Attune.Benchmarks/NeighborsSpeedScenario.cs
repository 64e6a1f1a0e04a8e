using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using static Attune.Benchmarks.ScenarioArgs;

namespace Attune.Benchmarks;

/// <summary>
/// Fit time, recommend-all time, memory and quality of the non-factor models (popularity, item-kNN, user-kNN,
/// RP3beta, sequence, hybrid) on ML-100K, the CoLaKG ML-1M split, ML-1M users 1-2999 leave-last-out (the
/// next-item task), and a synthetic 20M-interaction power-law set, next to the figures of REFERENCE.md.
/// </summary>
/// <remarks>
/// Usage: neighbors-speed [--repeat 3] [--threads 0] [--spec "item-knn:neighbors=50"]... [--skip-ml100k]
/// [--skip-ml1m] [--skip-sequence] [--skip-synthetic]. Datasets are read from ATTUNE_SHARED_DATA or shared/data.
/// </remarks>
public sealed class NeighborsSpeedScenario : IScenario
{
    private static readonly string[] DefaultSpecs =
    [
        "popularity",
        "item-knn",
        "item-knn:weighting=bm25,k1=1.2,b=0.75",
        "user-knn",
        "rp3beta:neighbors=200,beta=0.6",
    ];

    private static readonly string[] SequenceSpecs =
    [
        "popularity",
        "item-knn",
        "sequence:window=5,decay=0.7,historyDecay=0.7,targetDiscount=0,historyLength=10",
        "sequence",
        "hybrid:components=(sequence; ease:lambda=500)",
    ];

    private static readonly Dictionary<string, string> Ml1mReference = new(StringComparer.Ordinal)
    {
        ["popularity"] = "",
        ["item-knn"] = "fit 0.54 s, rec 0.58 s, NDCG 0.296, P 0.265 (implicit 0.7.3 cosine K=100)",
    };

    private static readonly Dictionary<string, string> SequenceReference = new(StringComparer.Ordinal)
    {
        ["item-knn"] = "HR 0.076, NDCG 0.039 (implicit cosine K=100)",
        ["sequence:window=5,decay=0.7,historyDecay=0.7,targetDiscount=0,historyLength=10"] = "HR 0.268, NDCG 0.160 (numpy transitions)",
        ["hybrid:components=(sequence; ease:lambda=500)"] = "HR 0.276 (0.7 transitions + 0.3 EASE); target HR >= 0.29",
    };

    public string Name => "neighbors-speed";

    public string Description => "Fit / recommend-all seconds, memory and quality of popularity, kNN, RP3beta, sequence and hybrid (ML-100K, ML-1M, synthetic 20M).";

    public Task<int> RunAsync(string[] args)
    {
        var repeat = int.Parse(Arg(args, "--repeat") ?? "3", CultureInfo.InvariantCulture);
        var threads = int.Parse(Arg(args, "--threads") ?? "0", CultureInfo.InvariantCulture);
        var given = Args(args, "--spec");
        var specs = given.Count > 0 ? given.ToArray() : DefaultSpecs;
        var root = DataRoot();
        var report = new StringBuilder();

        if (!args.Contains("--skip-ml1m"))
        {
            var (train, test) = AlgorithmsSpeedScenario.LoadColakg(Path.Combine(root, "movielens-1m/implicit-colakg/train.txt"), Path.Combine(root, "movielens-1m/implicit-colakg/test.txt"));
            Table(report, $"ML-1M implicit (CoLaKG given split): {train.Matrix.Users} users x {train.Matrix.Items} items, {train.Matrix.NonZeros} train interactions", specs, train, test, repeat, threads, Ml1mReference);
        }

        if (!args.Contains("--skip-ml100k"))
        {
            var (_, train, test) = AlgorithmsSpeedScenario.LoadMl100k(Path.Combine(root, "movielens-100k/u.data"), seed: 42);
            Table(report, $"ML-100K stratified 75/25 (seed 42): {train.Matrix.NonZeros} train interactions", specs, train, test, repeat, threads, new Dictionary<string, string>(StringComparer.Ordinal));
        }

        if (!args.Contains("--skip-sequence"))
        {
            var (train, test) = LoadLeaveLastOut(Path.Combine(root, "movielens-1m/ratings-users-0001-2999.dat.gz"));
            var seqSpecs = given.Count > 0 ? specs : SequenceSpecs;
            Table(report, $"ML-1M users 1-2999, leave-last-out (next item): {train.Matrix.Users} users x {train.Matrix.Items} items, {train.Matrix.NonZeros} train interactions", seqSpecs, train, test, Math.Min(repeat, 1), threads, SequenceReference);
        }

        if (!args.Contains("--skip-synthetic"))
        {
            Synthetic(report, threads);
        }

        report.AppendLine(Scenarios.MachineLine());
        report.AppendLine(CultureInfo.InvariantCulture, $"threads: {(threads > 0 ? threads : Environment.ProcessorCount)}, run at {DateTime.UtcNow:u}");
        Console.WriteLine(report.ToString());
        return Task.FromResult(0);
    }

    private static void Table(StringBuilder report, string title, IEnumerable<string> specs, TrainingData train, int[][] test, int repeat, int threads, Dictionary<string, string> reference)
    {
        report.AppendLine("### " + title);
        report.AppendLine();
        report.AppendLine("| spec | fit s (median) | allocated MB in fit | retained MB | recommend-all s | peak WS MB | NDCG@10 | HR@10 | P@10 | reference |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var spec in specs)
        {
            var m = Fit(spec, train, repeat, threads);
            var sw = Stopwatch.StartNew();
            var recs = AlgorithmsSpeedScenario.RecommendAll(m.Model, 10, train.Matrix, threads);
            var rec = sw.Elapsed.TotalSeconds;
            var (ndcg, precision) = AlgorithmsSpeedScenario.Quality(recs, test, 10);
            var hr = HitRate(recs, test);
            var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
            var line = string.Create(CultureInfo.InvariantCulture, $"| {spec} | {m.Seconds:F3} | {m.AllocatedMb:F0} | {m.RetainedMb:F0} | {rec:F3} | {peak:F0} | {ndcg:F4} | {hr:F4} | {precision:F4} | {reference.GetValueOrDefault(spec, "")} |");
            report.AppendLine(line);
            Console.Error.WriteLine(line);
        }

        report.AppendLine();
    }

    private static (IRecommender Model, double Seconds, double AllocatedMb, double RetainedMb) Fit(string spec, TrainingData train, int repeat, int threads)
    {
        var (algorithm, options) = AlgorithmRegistry.Parse(spec);
        if (threads > 0 && options.GetType().GetProperty("Threads") is not null)
        {
            options = OptionsBinder.With(options, $"threads={threads}");
        }

        var times = new List<double>();
        IRecommender model = null!;
        double allocated = 0, retained = 0;
        for (var r = 0; r < Math.Max(1, repeat); r++)
        {
            model = null!;
            GC.Collect();
            var before = GC.GetTotalMemory(true);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            model = algorithm.Fit(train, options);
            times.Add(sw.Elapsed.TotalSeconds);
            allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1e6;
            retained = (GC.GetTotalMemory(true) - before) / 1e6;
        }

        times.Sort();
        return (model, times[times.Count / 2], allocated, retained);
    }

    private static double HitRate(int[][] recs, int[][] test)
    {
        var users = 0;
        var hits = 0;
        for (var u = 0; u < test.Length; u++)
        {
            if (test[u].Length == 0)
            {
                continue;
            }

            users++;
            if (u < recs.Length && recs[u].Any(test[u].Contains))
            {
                hits++;
            }
        }

        return hits / (double)Math.Max(1, users);
    }

    private static void Synthetic(StringBuilder report, int threads)
    {
        const int users = 130_000;
        const int items = 25_000;
        var sw = Stopwatch.StartNew();
        var data = AlgorithmsSpeedScenario.SyntheticPowerLaw(users, items, 20_000_000, seed: 1);
        Console.Error.WriteLine($"synthetic: {data.Matrix.NonZeros} interactions generated in {sw.Elapsed.TotalSeconds:F1} s");
        report.AppendLine(CultureInfo.InvariantCulture, $"### Synthetic power-law: {users} users x {items} items, {data.Matrix.NonZeros} interactions (deterministic, seed 1)");
        report.AppendLine();
        report.AppendLine("| spec | fit s | allocated MB in fit | retained MB | recommend-all s | peak WS MB |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var spec in new[] { "popularity", "item-knn" })
        {
            var m = Fit(spec, data, 1, threads);
            var t = Stopwatch.StartNew();
            _ = AlgorithmsSpeedScenario.RecommendAll(m.Model, 10, data.Matrix, threads);
            var rec = t.Elapsed.TotalSeconds;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
            var line = string.Create(CultureInfo.InvariantCulture, $"| {spec} | {m.Seconds:F2} | {m.AllocatedMb:F0} | {m.RetainedMb:F0} | {rec:F2} | {peak:F0} |");
            report.AppendLine(line);
            Console.Error.WriteLine(line);
        }

        report.AppendLine();
    }

    /// <summary>Per user by timestamp (ties by file order) the last rating is held out; every rating counts; times kept for sequence models.</summary>
    private static (TrainingData Train, int[][] Test) LoadLeaveLastOut(string gz)
    {
        var rows = new List<(string User, string Item, long Time)>();
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress)))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                var p = line.Split("::");
                rows.Add((p[0], p[1], long.Parse(p[3], CultureInfo.InvariantCulture) * 1000));
            }
        }

        var users = new IdMap(rows.Select(r => r.User).Distinct().OrderBy(x => int.Parse(x, CultureInfo.InvariantCulture)));
        var items = new IdMap(rows.Select(r => r.Item).Distinct().OrderBy(x => int.Parse(x, CultureInfo.InvariantCulture)));
        var last = new int[users.Count];
        var lastTime = new long[users.Count];
        Array.Fill(lastTime, long.MinValue);
        for (var r = 0; r < rows.Count; r++)
        {
            var u = users.IndexOf(rows[r].User);
            if (rows[r].Time >= lastTime[u])
            {
                lastTime[u] = rows[r].Time;
                last[u] = r;
            }
        }

        var test = new int[users.Count][];
        var tu = new List<int>();
        var ti = new List<int>();
        var tt = new List<long>();
        for (var r = 0; r < rows.Count; r++)
        {
            var u = users.IndexOf(rows[r].User);
            var i = items.IndexOf(rows[r].Item);
            if (last[u] == r)
            {
                test[u] = [i];
            }
            else
            {
                tu.Add(u);
                ti.Add(i);
                tt.Add(rows[r].Time);
            }
        }

        var data = TrainingDataBuilder.FromColumns(users, items, tu.ToArray(), ti.ToArray(), Enumerable.Repeat(1f, tu.Count).ToArray(), tt.ToArray());
        return (data, test);
    }
}
