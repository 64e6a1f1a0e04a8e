using System.Diagnostics;
using System.Globalization;
using System.Text;
using Attune.Algorithms.Abstractions;
using Attune.Core;
using Attune.Engine.Models;
using Attune.Engine.Options;
using Microsoft.Extensions.Logging.Abstractions;
using static Attune.Benchmarks.ScenarioArgs;

namespace Attune.Benchmarks;

/// <summary>
/// The model registry's costs on ML-1M-size data: a full training run (training data, every component, the promotion
/// guard's holdout comparison, the verified write), loading and verifying a version, and the hot swap under
/// concurrent reads (reader latency with and without activations running, against the no-swap ceiling of the same run).
/// </summary>
/// <remarks>
/// Usage: model-train [--algorithm auto] [--swaps 20] [--readers N] [--seconds 3]. Data: the CoLaKG ML-1M implicit
/// train and test files together (998,539 interactions, 6,040 users, 3,260 items); they carry no time, so each row
/// gets a time from a seeded shuffle (every user's rows spread over the period, which the temporal holdout needs).
/// </remarks>
public sealed class ModelTrainScenario : IScenario
{
    public string Name => "model-train";

    public string Description => "Full training run on ML-1M size (all components + promotion guard + verified write), version load, hot-swap latency under concurrent reads.";

    public async Task<int> RunAsync(string[] args)
    {
        var algorithm = Arg(args, "--algorithm") ?? ModelsOptions.Auto;
        var swaps = int.Parse(Arg(args, "--swaps") ?? "20", CultureInfo.InvariantCulture);
        var readers = int.Parse(Arg(args, "--readers") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var seconds = double.Parse(Arg(args, "--seconds") ?? "3", CultureInfo.InvariantCulture);
        var root = Path.Combine(DataRoot(), "movielens-1m/implicit-colakg");
        var snapshot = Load(Path.Combine(root, "train.txt"), Path.Combine(root, "test.txt"));
        var options = new ModelsOptions { Algorithm = algorithm };
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"### model-train: ML-1M implicit (CoLaKG train+test), {snapshot.Count} interactions, {snapshot.UserIds.Length} users, {snapshot.ItemIds.Length} items");
        report.AppendLine();

        var dir = Directory.CreateTempSubdirectory("attune-model-train-");
        try
        {
            var trainer = new ModelTrainer(options, EventTypeRegistry.Default);
            var registry = new ModelRegistry(new ModelStore(dir.FullName), new ActiveModel(), options, NullLogger<ModelRegistry>.Instance);
            var (first, firstStages) = Train(trainer, registry, snapshot, null);
            await registry.PromoteAsync(first);
            var (second, stages) = Train(trainer, registry, snapshot, first);

            report.AppendLine("| stage | seconds |");
            report.AppendLine("| --- | ---: |");
            foreach (var (stage, s) in stages)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {stage} | {s:F2} |");
            }

            report.AppendLine(CultureInfo.InvariantCulture, $"| first run total (no active model, guard measures the candidate only) | {firstStages.Sum(x => x.Seconds):F2} |");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"main: {second.Info.Algorithm} ({second.Info.Options}); holdout {string.Join(", ", second.Info.OfflineMetrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key}={m.Value:F4}")))}");
            var bytes = Directory.EnumerateFiles(registry.Store.VersionFolder(second.Version), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            report.AppendLine(CultureInfo.InvariantCulture, $"version on disk: {bytes / 1e6:F1} MB, {second.Components.Count} components");

            var clock = Stopwatch.StartNew();
            registry.Store.Load(second.Version);
            report.AppendLine(CultureInfo.InvariantCulture, $"load + verify a version: {clock.Elapsed.TotalSeconds:F2} s");
            report.AppendLine();

            await HotSwap(report, registry, first, second, swaps, readers, seconds);
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        report.AppendLine(Scenarios.MachineLine());
        report.AppendLine(CultureInfo.InvariantCulture, $"training threads: {options.EffectiveTrainingThreads}, readers: {readers}, run at {DateTime.UtcNow:u}");
        Console.WriteLine(report.ToString());
        return 0;
    }

    private static (ServingModel Saved, List<(string Stage, double Seconds)> Stages) Train(ModelTrainer trainer, ModelRegistry registry, InteractionSnapshot snapshot, ServingModel? active)
    {
        var stages = new List<(string, double)>();
        var clock = Stopwatch.StartNew();
        var data = trainer.BuildData(snapshot, []);
        stages.Add(("build training data", clock.Elapsed.TotalSeconds));
        var trained = trainer.Train(data, null, null, CancellationToken.None);
        foreach (var (component, s) in trained.Seconds)
        {
            stages.Add(($"fit {component}", s));
        }

        clock.Restart();
        var scores = new HoldoutEvaluator(trainer).Compare(new CandidateComparison(data, trained.MainSpec, active?.Info.Algorithm, active?.Version), CancellationToken.None);
        stages.Add(("promotion guard (temporal holdout, one fit when specs match)", clock.Elapsed.TotalSeconds));
        clock.Restart();
        var info = new ModelVersionInfo(ModelStore.NewVersion(DateTimeOffset.UtcNow), trained.MainSpec, trained.MainOptions, snapshot.TimestampMs[0], snapshot.TimestampMs[^1], snapshot.Count,
            new Dictionary<string, double> { [scores.Metric] = scores.Candidate ?? double.NaN }, DateTimeOffset.UtcNow, string.Empty);
        var saved = registry.Store.Save(new ServingModel(info, data.Users, data.Items, trained.Components));
        stages.Add(("write version (temp folder, fsync, rename)", clock.Elapsed.TotalSeconds));
        return (saved, stages);
    }

    /// <summary>Readers score top-10 for random users in a loop; measured once without swaps (the ceiling) and once while versions are activated.</summary>
    private static async Task HotSwap(StringBuilder report, ModelRegistry registry, ServingModel a, ServingModel b, int swaps, int readers, double seconds)
    {
        var (baseline, _, _) = await Readers(registry, readers, TimeSpan.FromSeconds(seconds), null);
        var activation = new List<double>();
        var swapOnly = new List<double>();
        var (during, failures, count) = await Readers(registry, readers, TimeSpan.FromSeconds(seconds), async stop =>
        {
            for (var k = 0; k < swaps && !stop.IsCancellationRequested; k++)
            {
                var clock = Stopwatch.StartNew();
                await registry.ActivateAsync(k % 2 == 0 ? a.Version : b.Version, "bench");
                activation.Add(clock.Elapsed.TotalMilliseconds);
                // Two in-memory swaps (away and back), so the next activation loads the other version from disk.
                var (now, other) = k % 2 == 0 ? (a, b) : (b, a);
                foreach (var target in new[] { other, now })
                {
                    var start = Stopwatch.GetTimestamp();
                    registry.Active.Activate(target);
                    swapOnly.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
            }
        });

        report.AppendLine("| reads (top-10, ActiveModel.Current) | requests | p50 µs | p99 µs | max µs | failed |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| no swaps (ceiling) | {baseline.Count} | {P(baseline, 0.5):F0} | {P(baseline, 0.99):F0} | {baseline.Max():F0} | 0 |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| during {activation.Count} activations + {swapOnly.Count} in-memory swaps | {count} | {P(during, 0.5):F0} | {P(during, 0.99):F0} | {during.Max():F0} | {failures} |");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"activation from disk (load + verify + swap + pointer): median {P(activation, 0.5):F0} ms, max {activation.DefaultIfEmpty(0).Max():F0} ms; in-memory swap alone: median {P(swapOnly, 0.5):F1} µs");
        report.AppendLine();
    }

    private static async Task<(List<double> Micros, int Failures, long Count)> Readers(ModelRegistry registry, int readers, TimeSpan duration, Func<CancellationToken, Task>? alongside)
    {
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var lists = new List<double>[readers];
        var tasks = Enumerable.Range(0, readers).Select(r => Task.Factory.StartNew(() =>
        {
            var random = new Random(r);
            var list = lists[r] = [];
            var tick = Stopwatch.Frequency / 1e6;
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    var model = registry.Active.Current!;
                    if (model.Get(ServingModel.Main)!.Recommend(random.Next(model.Users.Count), 10).Length != 10)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }

                list.Add((Stopwatch.GetTimestamp() - start) / tick);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        var work = alongside?.Invoke(stop.Token) ?? Task.CompletedTask;
        await Task.Delay(duration);
        await work;
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        var all = lists.SelectMany(l => l).ToList();
        return (all, failures, all.Count);
    }

    private static double P(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    }

    private static InteractionSnapshot Load(string trainPath, string testPath)
    {
        var users = new List<int>();
        var items = new List<int>();
        var maxUser = 0;
        var maxItem = 0;
        foreach (var path in new[] { trainPath, testPath })
        {
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2)
                {
                    continue;
                }

                var u = int.Parse(parts[0], CultureInfo.InvariantCulture);
                maxUser = Math.Max(maxUser, u);
                for (var k = 1; k < parts.Length; k++)
                {
                    var i = int.Parse(parts[k], CultureInfo.InvariantCulture);
                    maxItem = Math.Max(maxItem, i);
                    users.Add(u);
                    items.Add(i);
                }
            }
        }

        var n = users.Count;
        var order = Enumerable.Range(0, n).ToArray();
        new Random(42).Shuffle(order);
        var userIndex = new int[n];
        var itemIndex = new int[n];
        var time = new long[n];
        var value = new float[n];
        Array.Fill(value, float.NaN);
        for (var r = 0; r < n; r++)
        {
            userIndex[r] = users[order[r]];
            itemIndex[r] = items[order[r]];
            time[r] = 1_600_000_000_000 + (r * 1000L);
        }

        return new InteractionSnapshot(
            [.. Enumerable.Range(0, maxUser + 1).Select(u => u.ToString(CultureInfo.InvariantCulture))],
            [.. Enumerable.Range(0, maxItem + 1).Select(i => i.ToString(CultureInfo.InvariantCulture))],
            [EventTypes.View],
            userIndex,
            itemIndex,
            new byte[n],
            value,
            time);
    }
}
