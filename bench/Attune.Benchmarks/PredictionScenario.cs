using System.Diagnostics;
using System.Globalization;
using Attune.Algorithms.Clustering;
using Attune.Algorithms.Prediction;
using Attune.Datasets.Synthetic;
using Attune.Engine.Options;
using Attune.Engine.Prediction;

namespace Attune.Benchmarks;

/// <summary>
/// Training speed of boosted trees next to logistic regression on one synthetic table, k-means speed, and
/// next-day purchase AUCs (with DeLong 95% intervals) on the Taobao sample when it is present.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release --project bench/Attune.Benchmarks -- prediction [--rows 1000000]
/// [--features 20] [--rounds 50] [--kmeans-rows 1000000] [--data path/to/UserBehavior-first814users.csv]</c>.
/// </remarks>
public sealed class PredictionScenario : IScenario
{
    private const string TaobaoRelative = "taobao-userbehavior-sample/UserBehavior-first814users.csv";

    public string Name => "prediction";

    public string Description => "GBDT vs logistic regression training rows/s, k-means time, Taobao next-day purchase AUCs";

    public Task<int> RunAsync(string[] args)
    {
        var rows = IntArg(args, "--rows", 1_000_000);
        var features = IntArg(args, "--features", 20);
        var rounds = IntArg(args, "--rounds", 50);
        var kmeansRows = IntArg(args, "--kmeans-rows", 1_000_000);
        var data = StringArg(args, "--data") ?? FindShared(TaobaoRelative);
        var shopUsers = IntArg(args, "--shop-users", 20_000);

        Console.WriteLine($"## prediction: training speed ({rows:N0} rows x {features} features, synthetic)");
        Console.WriteLine();
        var (train, trainLabels) = Synthetic(rows, features, seed: 1);
        var (test, testLabels) = Synthetic(Math.Max(10_000, rows / 10), features, seed: 2);
        Console.WriteLine("| model | options | fit s (wall) | process CPU s | rows/s (rows / wall fit time) | row-passes/s | test AUC |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");

        var lrOptions = new LogisticRegressionOptions();
        var (lr, lrSeconds, lrCpu) = Timed(() => LogisticRegression.Train(train, trainLabels, lrOptions));
        var lrAuc = BinaryMetrics.AucWithInterval(lr.PredictProbabilities(test), testLabels);
        Console.WriteLine(Invariant(
            $"| logistic regression | {lrOptions} | {lrSeconds:F2} | {lrCpu:F2} | {rows / lrSeconds:N0} | {(double)rows * lr.Iterations / lrSeconds:N0} ({lr.Iterations} Newton steps) | {lrAuc} |"));

        var gbOptions = new GradientBoostedTreesOptions(Rounds: rounds);
        var (gb, gbSeconds, gbCpu) = Timed(() => GradientBoostedTrees.Train(train, trainLabels, gbOptions));
        var gbAuc = BinaryMetrics.AucWithInterval(gb.PredictProbabilities(test), testLabels);
        Console.WriteLine(Invariant(
            $"| gradient boosting | {gbOptions} | {gbSeconds:F2} | {gbCpu:F2} | {rows / gbSeconds:N0} | {(double)rows * gb.Trees.Count / gbSeconds:N0} ({gb.Trees.Count} trees) | {gbAuc} |"));
        Console.WriteLine();
        Console.WriteLine(Invariant(
            $"GBDT / logistic regression fit time: {gbSeconds / lrSeconds:F1}x wall, {gbCpu / lrCpu:F1}x CPU (same process, same table)."));
        Console.WriteLine();

        Console.WriteLine($"## prediction: k-means ({kmeansRows:N0} rows x 10 features, 8 planted clusters)");
        Console.WriteLine();
        var (blobs, truth) = Blobs(kmeansRows, 10, 8, seed: 3);
        var kmOptions = new KMeansOptions(K: 8, Restarts: 2, MaxIterations: 50);
        var (km, kmSeconds, kmCpu) = Timed(() => KMeans.Fit(blobs, kmOptions));
        var ari = AdjustedRandIndex.Compute(km.Assignments.ToArray(), truth);
        Console.WriteLine("| options | fit s (wall) | process CPU s | iterations (best start) | ARI vs planted |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Console.WriteLine(Invariant($"| {kmOptions} | {kmSeconds:F2} | {kmCpu:F2} | {km.Iterations} | {ari:F3} |"));
        Console.WriteLine();

        PlantedIntentShop(shopUsers);

        if (data is null || !File.Exists(data))
        {
            Console.WriteLine($"Taobao sample not found ({TaobaoRelative}); pass --data or set ATTUNE_SHARED_DATA to include the AUC table.");
        }
        else
        {
            Taobao(data);
        }

        Console.WriteLine(Scenarios.MachineLine());
        return Task.FromResult(0);
    }

    /// <summary>The engine pipeline (event log, point-in-time features, temporal split) on a generated shop with planted intent.</summary>
    private static void PlantedIntentShop(int users)
    {
        var options = new SyntheticShopOptions(Users: users, Items: 5_000, Events: users * 15, Days: 21, PurchaseRate: 0.05, PurchaseIntent: 0.03, Seed: 11);
        Console.WriteLine($"## prediction: synthetic shop with planted purchase intent ({options})");
        Console.WriteLine();
        var shop = SyntheticShop.Generate(options);
        var (log, logSeconds, _) = Timed(() => BehaviorLog.FromEvents(shop.Events(), shop.Items));
        Console.WriteLine(Invariant($"{log.History.EventCount:N0} events of {log.History.Users.Count:N0} users read in {logSeconds:F2} s."));
        Console.WriteLine();
        Console.WriteLine("| task | train rows (positive) | test rows (positive) | fit + evaluate s (wall) | logistic AUC | GBDT AUC |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var task in new[] { new PredictionTask(PredictionTaskKind.Purchase, 1), new PredictionTask(PredictionTaskKind.Churn, 7), new PredictionTask(PredictionTaskKind.Propensity, 1) })
        {
            var (trained, seconds, _) = Timed(() => PredictorTrainer.Train(log, task, new PredictionOptions(), 1, DateTimeOffset.UnixEpoch));
            PrintTask(task, trained.Report, seconds);
        }

        Console.WriteLine();
    }

    private static void PrintTask(PredictionTask task, PredictorReport r, double seconds) =>
        Console.WriteLine(Invariant(
            $"| {task} | {r.TrainRows:N0} ({r.TrainPositives:N0}) | {r.TestRows:N0} ({r.TestPositives:N0}) | {seconds:F2} | {r.Models.First(m => m.Model == "logistic").Auc} | {r.Models.First(m => m.Model == "gbdt").Auc} |"));

    private static void Taobao(string path)
    {
        var history = new BehaviorHistory(BehaviorEventCsv.ReadFile(path));
        Console.WriteLine($"## prediction: Taobao next-day purchase per user ({history.Users.Count} users, {history.EventCount:N0} events)");
        Console.WriteLine();
        Console.WriteLine("Reference (scikit-learn, test day 2017-12-02, 1 training day, 9 basic features): logistic regression 0.604, " +
            "gradient boosting 0.574, random forest 0.573, recency alone 0.561.");
        Console.WriteLine();
        string[] basic = ["views", "carts", "favorites", "purchases", "views_1d", "carts_1d", "favorites_1d", "purchases_1d", "hours_since_last_event"];
        var setups = new (DateOnly Day, int TrainingDays, string[]? Features, string Label)[]
        {
            (new DateOnly(2017, 12, 3), 6, null, "all 22"),
            (new DateOnly(2017, 12, 3), 1, null, "all 22"),
            (new DateOnly(2017, 12, 2), 6, null, "all 22"),
            (new DateOnly(2017, 12, 2), 1, basic, "basic 9"),
            (new DateOnly(2017, 12, 2), 6, basic, "basic 9"),
        };
        Console.WriteLine("| test day | training cutoffs | features | train rows (buyers) | test rows (buyers) | logistic regression | gradient boosting | random forest | recency alone |");
        Console.WriteLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        NextDayPurchaseReport? headline = null;
        foreach (var (day, trainingDays, features, label) in setups)
        {
            var report = NextDayPurchaseExperiment.Run(history, day, new NextDayPurchaseOptions(TrainingDays: trainingDays, Features: features));
            headline ??= report;
            var aucs = string.Join(" | ", report.Models.Select(m => m.Auc.ToString()));
            Console.WriteLine(Invariant(
                $"| {day:yyyy-MM-dd} | {trainingDays} | {label} | {report.TrainRows} ({report.TrainPositives}) | {report.TestRows} ({report.TestPositives}) | {aucs} |"));
        }

        Console.WriteLine();
        Console.WriteLine("The engine pipeline (`attune predict evaluate --utc-offset 8`) on the same file, test cutoff = the last day of the sample:");
        Console.WriteLine();
        Console.WriteLine("| task | train rows (positive) | test rows (positive) | fit + evaluate s (wall) | logistic AUC | GBDT AUC |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        var log = BehaviorLog.FromBehavior(BehaviorEventCsv.ReadFile(path));
        foreach (var task in new[] { new PredictionTask(PredictionTaskKind.Purchase, 1), new PredictionTask(PredictionTaskKind.Churn, 1), new PredictionTask(PredictionTaskKind.Propensity, 1) })
        {
            var (trained, seconds, _) = Timed(() => PredictorTrainer.Train(log, task, new PredictionOptions { UtcOffsetHours = 8 }, 1, DateTimeOffset.UnixEpoch));
            PrintTask(task, trained.Report, seconds);
        }

        Console.WriteLine();
        Console.WriteLine("AUC [95% DeLong interval]. Lift by decile of the best model on the first row's test day (decile 1 = highest scores):");
        Console.WriteLine();
        Console.WriteLine("| decile | users | mean predicted | purchase rate | lift |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        foreach (var g in headline!.LiftOfBest)
        {
            Console.WriteLine(Invariant($"| {g.Group} | {g.Count} | {g.MeanPredicted:F3} | {g.ObservedRate:F3} | {g.Lift:F2} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Calibration of the same model (deciles of predicted probability, lowest first):");
        Console.WriteLine();
        Console.WriteLine("| decile | users | mean predicted | observed purchase rate |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        foreach (var g in headline.CalibrationOfBest)
        {
            Console.WriteLine(Invariant($"| {g.Group} | {g.Count} | {g.MeanPredicted:F3} | {g.ObservedRate:F3} |"));
        }

        Console.WriteLine();
        var lr = headline.Models[0];
        Console.WriteLine("Top logistic regression features (|coefficient| on standardized features): " +
            string.Join(", ", lr.Importances.Take(5).Select(f => Invariant($"{f.Feature} {f.Importance:F2}"))));
        var gb = headline.Models[1];
        Console.WriteLine("Top gradient boosting features (share of split gain): " +
            string.Join(", ", gb.Importances.Take(5).Select(f => Invariant($"{f.Feature} {f.Importance:F2}"))));
        Console.WriteLine();
    }

    /// <summary>
    /// Standard normal features; the log-odds mix a linear part, an interaction and a threshold effect so
    /// both model kinds have something to find.
    /// </summary>
    private static (FeatureTable, float[]) Synthetic(int rows, int d, int seed)
    {
        var rng = new Random(seed);
        var values = new float[rows * d];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = values.AsSpan(r * d, d);
            for (var c = 0; c < d; c++)
            {
                row[c] = (float)Normal(rng);
            }

            var z = (0.8 * row[0]) - (0.5 * row[1]) + (1.2 * row[2] * row[3]) + (row[4] > 0.5f ? 1.0 : -0.3) - 0.5;
            labels[r] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1f : 0f;
        }

        return (new FeatureTable(values, Enumerable.Range(0, d).Select(i => $"f{i}").ToArray()), labels);
    }

    private static (FeatureTable, int[]) Blobs(int rows, int d, int k, int seed)
    {
        var rng = new Random(seed);
        var centres = new double[k * d];
        for (var i = 0; i < centres.Length; i++)
        {
            centres[i] = rng.NextDouble() * 20;
        }

        var values = new float[rows * d];
        var truth = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            var c = r % k;
            truth[r] = c;
            for (var f = 0; f < d; f++)
            {
                values[(r * d) + f] = (float)(centres[(c * d) + f] + Normal(rng));
            }
        }

        return (new FeatureTable(values, Enumerable.Range(0, d).Select(i => $"x{i}").ToArray()), truth);
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Wall time and this process's CPU time: on a shared machine the CPU time is the steadier figure.</summary>
    private static (T Result, double WallSeconds, double CpuSeconds) Timed<T>(Func<T> action)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = action();
        var wall = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return (result, wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static int IntArg(string[] args, string name, int fallback)
    {
        var value = StringArg(args, name);
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new ArgumentException($"{name} must be a positive integer, got '{value}'.", nameof(args));
    }

    private static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string? FindShared(string relative)
    {
        var env = Environment.GetEnvironmentVariable("ATTUNE_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return Path.Combine(env, relative);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
