using System.Diagnostics;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Evaluation.Metrics;
using Attune.Evaluation.Splits;
using Attune.Numerics;

namespace Attune.Evaluation.Running;

/// <summary>Fits models on a split's training part, ranks all items for every evaluated user, and scores the lists.</summary>
public static class ModelEvaluator
{
    /// <summary>Fits and evaluates every spec (e.g. <c>ease</c>, <c>als:factors=64</c>) in turn.</summary>
    public static EvaluationReport Evaluate(string dataset, EvaluationSplit split, string protocol, IReadOnlyList<string> specs, IReadOnlyList<int> ks, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        // Parse every spec first, so a typo in the last one fails before an hour of training.
        var parsed = specs.Select(s => (Spec: s, Parsed: ParseSpec(s))).ToList();
        var results = new List<ModelResult>();
        foreach (var (spec, (algorithm, options)) in parsed)
        {
            progress?.Report($"fitting {spec}");
            results.Add(Evaluate(split, spec, data => algorithm.Fit(data, options, null, cancellationToken), ks, cancellationToken));
        }

        return CreateReport(dataset, split, protocol, ks, results);
    }

    public static EvaluationReport CreateReport(string dataset, EvaluationSplit split, string protocol, IReadOnlyList<int> ks, IReadOnlyList<ModelResult> results) =>
        new(dataset, protocol, split.UserCount, split.ItemCount, split.Train.Count, split.TestInteractionCount, split.EvaluatedUsers.Length, ks, results, DateTimeOffset.UtcNow, MachineDescription());

    /// <summary>Parses a model spec, turning the registry's argument errors into a user-facing message.</summary>
    public static (IAlgorithm Algorithm, object Options) ParseSpec(string spec)
    {
        try
        {
            return AlgorithmRegistry.Parse(spec);
        }
        catch (ArgumentException e)
        {
            throw new EvaluationException($"Model '{spec}': {e.Message.Split(" (Parameter", 2)[0]}", e);
        }
    }

    /// <summary>Fits one model with <paramref name="fit"/> and evaluates it.</summary>
    public static ModelResult Evaluate(EvaluationSplit split, string name, Func<TrainingData, IRecommender> fit, IReadOnlyList<int> ks, CancellationToken cancellationToken = default)
    {
        ValidateKs(ks);
        var data = split.TrainingData;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var model = fit(data);
        var fitSeconds = clock.Elapsed.TotalSeconds;
        if (model.ItemCount != split.ItemCount)
        {
            throw new EvaluationException($"Model '{name}' scores {model.ItemCount} items but the data has {split.ItemCount}.");
        }

        clock.Restart();
        var lists = Recommend(model, split, ks.Max(), out var unknown, cancellationToken);
        var recommendSeconds = clock.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        using var process = Process.GetCurrentProcess();
        var metrics = MetricsCalculator.Compute(split, lists, ks);
        return new ModelResult(name, model.Algorithm, model.Options, fitSeconds, recommendSeconds, process.PeakWorkingSet64, allocated, unknown, metrics);
    }

    /// <summary>
    /// Top <paramref name="n"/> over all items for every evaluated user, training items excluded, ties by
    /// the smaller item index. Runs in parallel over users with one score buffer per worker.
    /// A user the model cannot score gets an empty list (all misses).
    /// </summary>
    public static RecommendationLists Recommend(IRecommender model, EvaluationSplit split, int n, out int unknownUsers, CancellationToken cancellationToken = default)
    {
        var users = split.EvaluatedUsers;
        var lists = new RecommendationLists(users, n);
        var itemCount = split.ItemCount;
        var unknown = 0;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(
            0,
            users.Length,
            options,
            () => new Scratch(itemCount, n),
            (slot, _, scratch) =>
            {
                var user = users[slot];
                var scores = scratch.Scores.AsSpan();
                if (!model.TryScore(user, scores))
                {
                    Interlocked.Increment(ref unknown);
                    return scratch;
                }

                foreach (var i in split.TrainItems[user])
                {
                    scores[i] = float.NegativeInfinity;
                }

                var count = TopK.Select(scores, n, scratch.Indices, scratch.Values);
                lists.Set(slot, scratch.Indices.AsSpan(0, count));
                return scratch;
            },
            _ => { });
        unknownUsers = unknown;
        return lists;
    }

    public static void ValidateKs(IReadOnlyList<int> ks)
    {
        if (ks.Count == 0 || ks.Any(k => k <= 0))
        {
            throw new EvaluationException("--k needs one or more positive cut-offs, e.g. 10,20.");
        }
    }

    public static string MachineDescription()
    {
        var cpu = "unknown CPU";
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            cpu = line?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
            // Not Linux, or /proc is hidden: the model name is only informative.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }

        return $"{Environment.ProcessorCount} cores, {cpu}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    private sealed class Scratch(int items, int n)
    {
        public float[] Scores { get; } = new float[items];

        public int[] Indices { get; } = new int[n];

        public float[] Values { get; } = new float[n];
    }
}
