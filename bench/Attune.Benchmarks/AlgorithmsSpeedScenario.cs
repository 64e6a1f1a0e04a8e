using System.Diagnostics;
using System.Globalization;
using System.Text;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Factorization;
using static Attune.Benchmarks.ScenarioArgs;

namespace Attune.Benchmarks;

/// <summary>
/// Fit time, recommend-all time, memory and NDCG@10 of the registered algorithms on ML-100K and the
/// CoLaKG ML-1M split, next to the reference figures of docs/REFERENCE (implicit 0.7.3, numpy).
/// </summary>
/// <remarks>
/// Usage: algorithms-speed [--only als,bpr,...] [--spec "als:factors=32"]... [--repeat 3] [--skip-ml100k]
/// [--skip-ml1m] [--synthetic20m] [--threads 2]. Datasets are read from ATTUNE_SHARED_DATA or shared/data.
/// </remarks>
public sealed class AlgorithmsSpeedScenario : IScenario
{
    private static readonly Dictionary<string, string> Ml1mReference = new(StringComparer.Ordinal)
    {
        ["als"] = "fit 1.51 s, rec 0.30 s, NDCG 0.382 (implicit 0.7.3)",
        ["bpr"] = "fit 20.0 s, rec 0.36 s, NDCG 0.249 (implicit 0.7.3, untuned)",
        ["ease"] = "fit 1.35-1.76 s, rec 3.7 s, NDCG 0.427 (numpy)",
        ["item-knn"] = "fit 0.54 s, rec 0.58 s, NDCG 0.296 (implicit cosine K=100)",
    };

    private static readonly Dictionary<string, string> Ml100kReference = new(StringComparer.Ordinal)
    {
        ["als"] = "fit 0.27 s",
        ["bpr"] = "fit 2.4 s; stratified NDCG 0.442 (cornac)",
        ["ease"] = "fit 0.22 s; stratified NDCG 0.480",
        ["item-knn"] = "fit 0.06 s",
    };

    // The machine these run on is often shared, so CPU seconds (all threads) are printed beside wall time.
    private static double LastFitCpuSeconds { get; set; }

    public string Name => "algorithms-speed";

    public string Description => "Fit / recommend-all seconds, memory and NDCG@10 of als, bpr, ease, softmax (ML-100K, ML-1M, --synthetic20m).";

    public Task<int> RunAsync(string[] args)
    {
        var only = Arg(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var specs = Args(args, "--spec");
        var repeat = int.Parse(Arg(args, "--repeat") ?? "3", CultureInfo.InvariantCulture);
        var threads = int.Parse(Arg(args, "--threads") ?? "0", CultureInfo.InvariantCulture);
        if (specs.Count == 0)
        {
            var names = only ?? ["als", "bpr", "ease", "softmax"];
            specs = names.Where(n => AlgorithmRegistry.All.Any(a => a.Name == n)).ToList();
        }

        var root = DataRoot();
        var out_ = new StringBuilder();
        if (args.Contains("--synthetic20m"))
        {
            RunSynthetic(out_, only ?? ["als", "bpr", "item-knn", "popularity"], threads);
        }
        else
        {
            if (!args.Contains("--skip-ml1m"))
            {
                var train = Path.Combine(root, "movielens-1m/implicit-colakg/train.txt");
                var test = Path.Combine(root, "movielens-1m/implicit-colakg/test.txt");
                var (trainData, testSets) = LoadColakg(train, test);
                out_.AppendLine(CultureInfo.InvariantCulture, $"### ML-1M implicit (CoLaKG given split): {trainData.Matrix.Users} users x {trainData.Matrix.Items} items, {trainData.Matrix.NonZeros} train interactions");
                out_.AppendLine();
                out_.AppendLine("| spec | fit s (median) | fit CPU s | recommend-all s | managed MB | peak WS MB | NDCG@10 | P@10 | reference |");
                out_.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
                foreach (var spec in specs)
                {
                    var row = Measure(spec, trainData, testSets, repeat, threads);
                    out_.AppendLine(CultureInfo.InvariantCulture, $"{row} | {Ml1mReference.GetValueOrDefault(SpecName(spec), "")} |");
                    Console.Error.WriteLine(row);
                }

                out_.AppendLine();
            }

            if (!args.Contains("--skip-ml100k"))
            {
                var (all, strainData, stest) = LoadMl100k(Path.Combine(root, "movielens-100k/u.data"), seed: 42);
                out_.AppendLine(CultureInfo.InvariantCulture, $"### ML-100K: fit on all {all.Matrix.NonZeros} ratings; NDCG on stratified 75/25 (seed 42)");
                out_.AppendLine();
                out_.AppendLine("| spec | fit s all (median) | fit s 75% | fit CPU s 75% | recommend-all s | managed MB | peak WS MB | NDCG@10 | P@10 | reference |");
                out_.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
                foreach (var spec in specs)
                {
                    var fitAll = MedianFit(spec, all, repeat, threads, out _);
                    var row = Measure(spec, strainData, stest, 1, threads);
                    var cells = row.Split(" | ");
                    var line = $"{cells[0]} | {fitAll:F2} | {string.Join(" | ", cells[1..])} | {Ml100kReference.GetValueOrDefault(SpecName(spec), "")} |";
                    out_.AppendLine(line);
                    Console.Error.WriteLine(line);
                }
            }
        }

        out_.AppendLine();
        out_.AppendLine(Scenarios.MachineLine());
        out_.AppendLine(CultureInfo.InvariantCulture, $"threads: {(threads > 0 ? threads : Environment.ProcessorCount)}, run at {DateTime.UtcNow:u}");
        Console.WriteLine(out_.ToString());
        return Task.FromResult(0);
    }

    private static string SpecName(string spec) => spec.Split(':')[0];

    private static string Measure(string spec, TrainingData train, int[][] test, int repeat, int threads)
    {
        var model = default(IRecommender);
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        var fit = MedianFit(spec, train, repeat, threads, out model);
        var managed = (GC.GetTotalMemory(true) - before) / 1e6;
        var sw = Stopwatch.StartNew();
        var recs = RecommendAll(model, 10, train.Matrix, threads);
        var rec = sw.Elapsed.TotalSeconds;
        var (ndcg, precision) = Quality(recs, test, 10);
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
        return string.Create(CultureInfo.InvariantCulture, $"| {spec} | {fit:F2} | {LastFitCpuSeconds:F2} | {rec:F3} | {managed:F0} | {peak:F0} | {ndcg:F4} | {precision:F4}");
    }

    private static double MedianFit(string spec, TrainingData train, int repeat, int threads, out IRecommender model)
    {
        var (algorithm, options) = AlgorithmRegistry.Parse(spec);
        if (threads > 0 && options.GetType().GetProperty("Threads") is not null && !spec.Contains("threads", StringComparison.OrdinalIgnoreCase))
        {
            options = OptionsBinder.With(options, $"threads={threads}");
        }

        var times = new List<double>();
        var cpu = new List<double>();
        model = null!;
        var process = Process.GetCurrentProcess();
        for (var r = 0; r < Math.Max(1, repeat); r++)
        {
            GC.Collect();
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            model = algorithm.Fit(train, options);
            times.Add(sw.Elapsed.TotalSeconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpu0).TotalSeconds);
        }

        times.Sort();
        cpu.Sort();
        LastFitCpuSeconds = cpu[cpu.Count / 2];
        return times[times.Count / 2];
    }

    /// <summary>Top-n for every user: the GEMM path for factor models, per-user scoring in parallel otherwise.</summary>
    public static int[][] RecommendAll(IRecommender model, int n, UserItemMatrix exclude, int threads)
    {
        if (model is ILatentFactorModel factors)
        {
            return LatentFactors.RecommendAll(factors, n, exclude, threads);
        }

        var result = new int[model.UserCount][];
        Parallel.For(0, model.UserCount, Attune.Numerics.Parallelism.Options(threads), () => new float[model.ItemCount], (u, _, scores) =>
        {
            result[u] = model.TryScore(u, scores) ? RecommenderExtensions.TopOf(scores, n, exclude.ItemsOf(u)).Select(s => s.Item).ToArray() : [];
            return scores;
        }, _ => { });
        return result;
    }

    /// <summary>NDCG@k and P@k as docs/REFERENCE defines them, averaged over users with test items.</summary>
    public static (double Ndcg, double Precision) Quality(int[][] recs, int[][] test, int k)
    {
        double ndcg = 0, precision = 0;
        var users = 0;
        for (var u = 0; u < test.Length; u++)
        {
            if (test[u].Length == 0)
            {
                continue;
            }

            users++;
            var relevant = new HashSet<int>(test[u]);
            double dcg = 0, idcg = 0;
            var hits = 0;
            var list = u < recs.Length ? recs[u] : [];
            for (var p = 0; p < Math.Min(k, list.Length); p++)
            {
                if (relevant.Contains(list[p]))
                {
                    dcg += 1 / Math.Log2(p + 2);
                    hits++;
                }
            }

            for (var p = 0; p < Math.Min(k, relevant.Count); p++)
            {
                idcg += 1 / Math.Log2(p + 2);
            }

            ndcg += dcg / idcg;
            precision += hits / (double)k;
        }

        return (ndcg / users, precision / users);
    }

    public static (TrainingData Train, int[][] Test) LoadColakg(string trainPath, string testPath)
    {
        var train = ReadLines(trainPath);
        var test = ReadLines(testPath);
        var users = Math.Max(train.Count, test.Count);
        var items = 1 + Math.Max(train.SelectMany(x => x.Items).DefaultIfEmpty(0).Max(), test.SelectMany(x => x.Items).DefaultIfEmpty(0).Max());
        var byUser = new int[users][];
        foreach (var (u, its) in test)
        {
            byUser[u] = its;
        }

        for (var u = 0; u < users; u++)
        {
            byUser[u] ??= [];
        }

        var ru = new List<int>();
        var ri = new List<int>();
        foreach (var (u, its) in train)
        {
            foreach (var i in its)
            {
                ru.Add(u);
                ri.Add(i);
            }
        }

        return (Build(users, items, ru, ri), byUser);
    }

    public static (TrainingData All, TrainingData Train, int[][] Test) LoadMl100k(string path, int seed)
    {
        var rows = File.ReadLines(path).Select(l => l.Split('\t')).Select(p => (User: int.Parse(p[0], CultureInfo.InvariantCulture) - 1, Item: int.Parse(p[1], CultureInfo.InvariantCulture) - 1)).ToList();
        var users = rows.Max(r => r.User) + 1;
        var items = rows.Max(r => r.Item) + 1;
        var all = Build(users, items, rows.Select(r => r.User).ToList(), rows.Select(r => r.Item).ToList());
        var rng = new Random(seed);
        var tu = new List<int>();
        var ti = new List<int>();
        var test = new int[users][];
        foreach (var g in rows.GroupBy(r => r.User).OrderBy(g => g.Key))
        {
            var list = g.Select(r => r.Item).ToArray();
            rng.Shuffle(list);
            var keep = (int)Math.Round(0.75 * list.Length, MidpointRounding.ToEven);
            tu.AddRange(Enumerable.Repeat(g.Key, keep));
            ti.AddRange(list[..keep]);
            test[g.Key] = list[keep..];
        }

        for (var u = 0; u < users; u++)
        {
            test[u] ??= [];
        }

        return (all, Build(users, items, tu, ti), test);
    }

    private static List<(int User, int[] Items)> ReadLines(string path) =>
        File.ReadLines(path)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray())
            .Where(a => a.Length > 0)
            .Select(a => (a[0], a[1..]))
            .ToList();

    public static TrainingData Build(int users, int items, List<int> u, List<int> i)
    {
        var csr = CsrMatrix.FromCoordinates(users, items, u.ToArray(), i.ToArray(), Enumerable.Repeat(1f, u.Count).ToArray());

        // Duplicates are summed by the builder; positives are binary here.
        Array.Fill(csr.Values, 1f);
        return new TrainingData(
            new UserItemMatrix(csr),
            new IdMap(Enumerable.Range(0, users).Select(x => x.ToString(CultureInfo.InvariantCulture))),
            new IdMap(Enumerable.Range(0, items).Select(x => x.ToString(CultureInfo.InvariantCulture))));
    }

    private static void RunSynthetic(StringBuilder out_, string[] names, int threads)
    {
        const int users = 130_000;
        const int items = 25_000;
        const int target = 20_000_000;
        var sw = Stopwatch.StartNew();
        var data = SyntheticPowerLaw(users, items, target, seed: 1);
        Console.Error.WriteLine($"synthetic: {data.Matrix.NonZeros} interactions generated in {sw.Elapsed.TotalSeconds:F1} s");
        out_.AppendLine(CultureInfo.InvariantCulture, $"### Synthetic power-law: {users} users x {items} items, {data.Matrix.NonZeros} interactions");
        out_.AppendLine();
        out_.AppendLine("| spec | fit s | fit CPU s | recommend-all s | managed MB after fit | peak WS MB | target |");
        out_.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var name in names)
        {
            if (!AlgorithmRegistry.All.Any(a => a.Name == SpecName(name)))
            {
                out_.AppendLine(CultureInfo.InvariantCulture, $"| {name} | not registered | | | | |");
                continue;
            }

            var spec = name == "bpr" ? "bpr:epochs=5" : name;
            GC.Collect();
            var fit = MedianFit(spec, data, 1, threads, out var model);
            var managed = GC.GetTotalMemory(true) / 1e6;
            var t = Stopwatch.StartNew();
            _ = RecommendAll(model, 10, data.Matrix, threads);
            var rec = t.Elapsed.TotalSeconds;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
            var line = string.Create(CultureInfo.InvariantCulture, $"| {spec} | {fit:F1} | {LastFitCpuSeconds:F1} | {rec:F1} | {managed:F0} | {peak:F0} | {(name == "als" ? "fit < 120 s, peak < 4096 MB, rec-all < 60 s" : "")} |");
            out_.AppendLine(line);
            Console.Error.WriteLine(line);
        }
    }

    /// <summary>
    /// Users with log-normal activity choose distinct items with Zipf-like popularity (exponent about 1):
    /// exactly <paramref name="target"/> distinct (user, item) pairs.
    /// </summary>
    public static TrainingData SyntheticPowerLaw(int users, int items, int target, int seed)
    {
        var rng = new Random(seed);
        var cumulative = new double[items];
        var s = 0.0;
        for (var i = 0; i < items; i++)
        {
            s += 1.0 / Math.Pow(i + 10, 0.9);
            cumulative[i] = s;
        }

        var activity = new double[users];
        var total = 0.0;
        for (var u = 0; u < users; u++)
        {
            var g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            activity[u] = Math.Exp(g);
            total += activity[u];
        }

        // Quotas proportional to activity (capped at a quarter of the catalog), topped up round-robin so they
        // sum to the target exactly; each user's items are drawn without repetition, so the matrix holds
        // exactly `target` distinct interactions.
        var cap = items / 4;
        if ((long)cap * users < target)
        {
            throw new ArgumentException($"{users} users with at most {cap} items each cannot hold {target} interactions.", nameof(target));
        }

        var quota = new int[users];
        var sum = 0L;
        for (var u = 0; u < users; u++)
        {
            quota[u] = Math.Min(cap, Math.Max(1, (int)(activity[u] / total * target)));
            sum += quota[u];
        }

        for (var u = 0; sum != target; u = (u + 1) % users)
        {
            if (sum < target && quota[u] < cap)
            {
                quota[u]++;
                sum++;
            }
            else if (sum > target && quota[u] > 1)
            {
                quota[u]--;
                sum--;
            }
        }

        var ru = new int[target];
        var ri = new int[target];
        var taken = new int[items];
        var n = 0;
        for (var u = 0; u < users; u++)
        {
            for (var k = 0; k < quota[u]; k++)
            {
                int item;
                do
                {
                    var idx = Array.BinarySearch(cumulative, rng.NextDouble() * s);
                    item = Math.Min(items - 1, idx < 0 ? ~idx : idx);
                }
                while (taken[item] == u + 1);

                taken[item] = u + 1;
                ru[n] = u;
                ri[n] = item;
                n++;
            }
        }

        var csr = CsrMatrix.FromCoordinates(users, items, ru.AsSpan(0, n), ri.AsSpan(0, n), new float[n].AsSpan());
        Array.Fill(csr.Values, 1f);
        return new TrainingData(
            new UserItemMatrix(csr),
            new IdMap(Enumerable.Range(0, users).Select(x => x.ToString(CultureInfo.InvariantCulture))),
            new IdMap(Enumerable.Range(0, items).Select(x => x.ToString(CultureInfo.InvariantCulture))));
    }
}
