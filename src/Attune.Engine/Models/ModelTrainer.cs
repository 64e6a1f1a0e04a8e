using System.Diagnostics;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Core;
using Attune.Engine.Options;

namespace Attune.Engine.Models;

/// <summary>
/// Trains every component of a model version on one snapshot: <c>main</c> (the configured algorithm) and the
/// serving helpers <c>item-knn</c>, <c>sequence</c>, <c>content</c>, <c>popularity</c> and <c>trending</c>.
/// </summary>
/// <remarks>
/// The item universe is the snapshot's items followed by catalog items nobody interacted with yet, so content
/// neighbours exist for new items from the first version on. Components other than <c>main</c> are optional: one
/// that cannot be trained on this data (no catalog text for <c>content</c>) is left out and named in
/// <see cref="TrainedModel.Skipped"/>. When <c>main</c> fails with an explicit spec (e.g. EASE above its memory
/// budget) the large-catalog spec is trained instead, and the version records the spec that was actually used.
/// </remarks>
public sealed class ModelTrainer(ModelsOptions options, EventTypeRegistry eventTypes)
{
    /// <summary>The helper components and their specs, in training order (cheapest first).</summary>
    public static IReadOnlyList<(string Component, string Spec)> HelperComponents { get; } =
    [
        ("popularity", "popularity"),
        ("trending", "trending"),
        ("sequence", "sequence"),
        ("item-knn", "item-knn"),
        ("content", "content"),
    ];

    public ModelsOptions Options => options;

    /// <summary>The training data for a snapshot and the catalog (whose order fixes the index of items without events).</summary>
    public TrainingData BuildData(InteractionSnapshot snapshot, IReadOnlyList<Item> catalog)
    {
        var items = new IdMap(snapshot.ItemIds);
        foreach (var item in catalog)
        {
            items.GetOrAdd(item.Id);
        }

        var features = Features(items, catalog);
        return TrainingDataBuilder.FromSnapshot(snapshot, new TrainingDataOptions(), eventTypes, users: null, items, features);
    }

    /// <summary>Fits <paramref name="spec"/> (e.g. <c>als:factors=64</c>) with the configured training thread count.</summary>
    public IRecommender Fit(string spec, TrainingData data, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var (algorithm, algorithmOptions) = AlgorithmRegistry.Parse(spec);
        algorithmOptions = LimitThreads(algorithmOptions, spec);
        return algorithm.Fit(data, algorithmOptions, progress, cancellationToken);
    }

    /// <summary>Trains all components. <paramref name="mainSpec"/> overrides the configured algorithm when given.</summary>
    public TrainedModel Train(TrainingData data, string? mainSpec, IProgress<TrainingStage>? progress, CancellationToken cancellationToken)
    {
        var spec = string.IsNullOrWhiteSpace(mainSpec) ? options.ResolveAlgorithm(data.Items.Count) : mainSpec.Trim();
        var components = new Dictionary<string, IRecommender>(StringComparer.Ordinal);
        var skipped = new List<string>();
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = HelperComponents.Count + 1;
        var done = 0;

        // An unknown algorithm or option is the caller's mistake, not a reason to fall back.
        _ = AlgorithmRegistry.Parse(spec);
        var clock = Stopwatch.StartNew();
        IRecommender main;
        try
        {
            main = Fit(spec, data, Report(progress, ServingModel.Main, done, total), cancellationToken);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or OutOfMemoryException
                                   && !string.Equals(spec, options.AutoLargeCatalog, StringComparison.Ordinal))
        {
            skipped.Add($"main: {spec} failed ({ex.Message}); trained {options.AutoLargeCatalog} instead");
            spec = options.AutoLargeCatalog;
            main = Fit(spec, data, Report(progress, ServingModel.Main, done, total), cancellationToken);
        }

        components.Add(ServingModel.Main, main);
        timings[ServingModel.Main] = clock.Elapsed.TotalSeconds;
        done++;

        foreach (var (name, helperSpec) in HelperComponents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (name == "content" && data.ItemFeatures is null)
            {
                skipped.Add("content: the catalog has no items");
                done++;
                continue;
            }

            clock.Restart();
            try
            {
                components.Add(name, Fit(helperSpec, data, Report(progress, name, done, total), cancellationToken));
                timings[name] = clock.Elapsed.TotalSeconds;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                skipped.Add($"{name}: {ex.Message}");
            }

            done++;
        }

        progress?.Report(new TrainingStage("trained", 1));
        return new TrainedModel(spec, main.Options, components, skipped, timings);
    }

    private object LimitThreads(object algorithmOptions, string spec)
    {
        var threads = algorithmOptions.GetType().GetProperty("Threads");
        if (threads is null || threads.PropertyType != typeof(int) || !threads.CanWrite
            || (int)threads.GetValue(algorithmOptions)! != 0 || spec.Contains("threads", StringComparison.OrdinalIgnoreCase))
        {
            return algorithmOptions;
        }

        return OptionsBinder.With(algorithmOptions, "threads=" + options.EffectiveTrainingThreads.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Progress? Report(IProgress<TrainingStage>? progress, string component, int done, int total)
    {
        if (progress is null)
        {
            return null;
        }

        progress.Report(new TrainingStage("training " + component, (double)done / total));
        return new Progress(progress, component, done, total);
    }

    private static ItemFeatures? Features(IdMap items, IReadOnlyList<Item> catalog)
    {
        if (catalog.Count == 0)
        {
            return null;
        }

        var n = items.Count;
        var titles = new string?[n];
        var texts = new string?[n];
        var categories = new string[n][];
        var tags = new string[n][];
        Array.Fill(categories, []);
        Array.Fill(tags, []);
        foreach (var item in catalog)
        {
            var i = items.IndexOf(item.Id);
            titles[i] = item.Title;
            texts[i] = item.Text;
            categories[i] = [.. item.Categories];
            tags[i] = [.. item.Tags];
        }

        return new ItemFeatures(titles, texts, categories, tags);
    }

    /// <summary>Turns an algorithm's step progress into the run's overall fraction.</summary>
    private sealed class Progress(IProgress<TrainingStage> target, string component, int done, int total) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            var within = value.TotalSteps > 0 ? Math.Clamp((double)value.Step / value.TotalSteps, 0, 1) : 0;
            target.Report(new TrainingStage($"training {component} ({value.Stage})", (done + within) / total));
        }
    }
}

/// <summary>Where a training run is: a stage name and the fraction of the training done (0 to 1).</summary>
public readonly record struct TrainingStage(string Stage, double Fraction);

/// <summary>The components of a new version, before it is stored.</summary>
/// <param name="MainSpec">The spec the main component was trained with (after any fallback).</param>
/// <param name="MainOptions">The main component's options, every hyper-parameter listed.</param>
/// <param name="Skipped">Components left out or replaced, each with the reason.</param>
/// <param name="Seconds">Fit time per component.</param>
public sealed record TrainedModel(
    string MainSpec,
    string MainOptions,
    IReadOnlyDictionary<string, IRecommender> Components,
    IReadOnlyList<string> Skipped,
    IReadOnlyDictionary<string, double> Seconds);
