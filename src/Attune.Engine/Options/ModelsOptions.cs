using System.Globalization;

namespace Attune.Engine.Options;

/// <summary>
/// The model registry and the background trainer (section <c>Attune:Models</c>): what is trained, when, how many
/// versions are kept, and the promotion guard that decides whether a new version replaces the active one.
/// </summary>
public sealed record ModelsOptions
{
    /// <summary>The word for <see cref="Algorithm"/> that picks EASE or ALS by catalog size.</summary>
    public const string Auto = "auto";

    /// <summary>
    /// The main component's algorithm spec, e.g. <c>als:factors=64</c> or <c>ease:lambda=500</c>; <c>auto</c> picks
    /// <see cref="AutoSmallCatalog"/> up to <see cref="AutoMaxItems"/> items and <see cref="AutoLargeCatalog"/> beyond.
    /// </summary>
    public string Algorithm { get; init; } = Auto;

    /// <summary>What <c>auto</c> trains for catalogs of at most <see cref="AutoMaxItems"/> items (EASE: best quality, memory grows with items squared).</summary>
    public string AutoSmallCatalog { get; init; } = "ease:lambda=500";

    /// <summary>What <c>auto</c> trains for larger catalogs (ALS: memory grows linearly).</summary>
    public string AutoLargeCatalog { get; init; } = "als:factors=64,iterations=15";

    /// <summary>The item count up to which <c>auto</c> chooses <see cref="AutoSmallCatalog"/>.</summary>
    public int AutoMaxItems { get; init; } = 20_000;

    /// <summary>Time between scheduled retrainings; <c>00:00:00</c> turns the schedule off.</summary>
    public TimeSpan ScheduleInterval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Retrain once this many new events have been stored since the last training started; 0 turns the trigger off.</summary>
    public long RetrainAfterEvents { get; init; } = 100_000;

    /// <summary>Model versions kept in the data folder (the newest ones; the active version is never deleted).</summary>
    public int KeepVersions { get; init; } = 5;

    /// <summary>Fewest stored interactions a training run needs; with fewer it is skipped.</summary>
    public long MinEvents { get; init; } = 50;

    /// <summary>Share of the most recent interactions (by time) held out to compare a candidate with the active model.</summary>
    public double HoldoutFraction { get; init; } = 0.1;

    /// <summary>The promotion metric measured on the holdout, e.g. <c>ndcg@10</c>, <c>recall@20</c>, <c>map@10</c>.</summary>
    public string Metric { get; init; } = "ndcg@10";

    /// <summary>How much lower than the active model's score a candidate may score and still be promoted (absolute).</summary>
    public double Tolerance { get; init; } = 0.005;

    /// <summary>Worker threads a training run may use for algorithms that take a thread count; 0 means half the cores (at least one), so serving keeps a core.</summary>
    public int TrainingThreads { get; init; }

    /// <summary>Whether the server trains a first model at start when the data folder holds none and the store has enough events.</summary>
    public bool TrainOnStart { get; init; } = true;

    /// <summary>The thread count <see cref="TrainingThreads"/> stands for on this machine.</summary>
    public int EffectiveTrainingThreads => TrainingThreads > 0 ? TrainingThreads : Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>The main algorithm spec to train for a catalog of <paramref name="items"/> items.</summary>
    public string ResolveAlgorithm(int items) =>
        string.Equals(Algorithm.Trim(), Auto, StringComparison.OrdinalIgnoreCase)
            ? items <= AutoMaxItems ? AutoSmallCatalog : AutoLargeCatalog
            : Algorithm.Trim();

    internal void Validate(List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Algorithm))
        {
            errors.Add("Attune:Models:Algorithm must name an algorithm spec such as 'als:factors=64', 'ease:lambda=500' or 'auto'.");
        }
        else if (!string.Equals(Algorithm.Trim(), Auto, StringComparison.OrdinalIgnoreCase) && SpecError(Algorithm) is { } algorithmError)
        {
            errors.Add($"Attune:Models:Algorithm: {algorithmError}");
        }

        if (string.IsNullOrWhiteSpace(AutoSmallCatalog) || SpecError(AutoSmallCatalog) is not null)
        {
            errors.Add($"Attune:Models:AutoSmallCatalog must be an algorithm spec such as 'ease:lambda=500'{(SpecError(AutoSmallCatalog) is { } e ? ": " + e : ".")}");
        }

        if (string.IsNullOrWhiteSpace(AutoLargeCatalog) || SpecError(AutoLargeCatalog) is not null)
        {
            errors.Add($"Attune:Models:AutoLargeCatalog must be an algorithm spec such as 'als:factors=64'{(SpecError(AutoLargeCatalog) is { } e ? ": " + e : ".")}");
        }

        if (AutoMaxItems < 1)
        {
            errors.Add($"Attune:Models:AutoMaxItems must be at least 1 (got {AutoMaxItems}).");
        }

        if (ScheduleInterval < TimeSpan.Zero || (ScheduleInterval > TimeSpan.Zero && ScheduleInterval < TimeSpan.FromSeconds(1)))
        {
            errors.Add($"Attune:Models:ScheduleInterval must be 00:00:00 (off) or at least 00:00:01 (got {ScheduleInterval}).");
        }

        if (RetrainAfterEvents < 0)
        {
            errors.Add($"Attune:Models:RetrainAfterEvents must be 0 (off) or positive (got {RetrainAfterEvents}).");
        }

        if (KeepVersions is < 1 or > 1000)
        {
            errors.Add($"Attune:Models:KeepVersions must be between 1 and 1000 (got {KeepVersions}).");
        }

        if (MinEvents < 1)
        {
            errors.Add($"Attune:Models:MinEvents must be at least 1 (got {MinEvents}).");
        }

        if (!(HoldoutFraction > 0 && HoldoutFraction < 0.5))
        {
            errors.Add($"Attune:Models:HoldoutFraction must be above 0 and below 0.5 (got {HoldoutFraction.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (!PromotionMetric.TryParse(Metric, out _, out var metricError))
        {
            errors.Add($"Attune:Models:Metric: {metricError}");
        }

        if (!double.IsFinite(Tolerance) || Tolerance < 0)
        {
            errors.Add($"Attune:Models:Tolerance must be a finite number >= 0 (got {Tolerance.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (TrainingThreads is < 0 or > 1024)
        {
            errors.Add($"Attune:Models:TrainingThreads must be 0 (half the cores) or between 1 and 1024 (got {TrainingThreads}).");
        }
    }

    /// <summary>Why <paramref name="spec"/> is not a trainable algorithm spec; null when it is.</summary>
    public static string? SpecError(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return "the algorithm spec is empty.";
        }

        try
        {
            _ = Attune.Algorithms.Abstractions.AlgorithmRegistry.Parse(spec.Trim());
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"ModelsOptions {{ Algorithm = {Algorithm}, AutoSmallCatalog = {AutoSmallCatalog}, AutoLargeCatalog = {AutoLargeCatalog}, AutoMaxItems = {AutoMaxItems}, ScheduleInterval = {ScheduleInterval}, RetrainAfterEvents = {RetrainAfterEvents}, KeepVersions = {KeepVersions}, MinEvents = {MinEvents}, HoldoutFraction = {HoldoutFraction}, Metric = {Metric}, Tolerance = {Tolerance}, TrainingThreads = {TrainingThreads}, TrainOnStart = {TrainOnStart} }}");
}

/// <summary>The accuracy metrics the promotion guard can compare on, as <c>name@k</c>.</summary>
public static class PromotionMetric
{
    public static IReadOnlyList<string> Names { get; } = ["ndcg", "precision", "recall", "hr", "map", "mrr"];

    public static bool TryParse(string? text, out (string Name, int K) metric, out string error)
    {
        metric = default;
        error = string.Empty;
        var at = text?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        if (text is null || at <= 0
            || !int.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k is < 1 or > 1000)
        {
            error = $"'{text}' must look like ndcg@10 (a metric, '@', and a cut-off between 1 and 1000).";
            return false;
        }

        var name = text[..at].Trim().ToLowerInvariant();
        if (!Names.Contains(name))
        {
            error = $"'{text}' is not a known metric; use one of {string.Join(", ", Names)} with @K.";
            return false;
        }

        metric = (name, k);
        return true;
    }
}
