using Attune.Algorithms.Prediction;
using Attune.Engine.Options;

namespace Attune.Engine.Prediction;

/// <summary>A trained predictor: the model that scores, and its evaluation.</summary>
public sealed record TrainedPredictor(PredictionTask Task, IBinaryClassifier Model, PredictorReport Report);

/// <summary>The feature rows of one task at one cutoff.</summary>
/// <param name="Items">The item of each row for propensity; null for the per-user tasks.</param>
public sealed record TaskRows(long Cutoff, long[] Users, long[]? Items, FeatureTable Features, float[] Labels);

/// <summary>
/// Trains and evaluates a predictor with a temporal split: logistic regression and boosted trees are fitted on
/// stacked point-in-time cutoffs and compared on the latest cutoff whose label window is complete.
/// </summary>
/// <remarks>
/// Day boundaries are midnight at <see cref="PredictionOptions.UtcOffsetHours"/>. With E the end of the last complete
/// day (<see cref="ObservedEnd"/>) and N the horizon, the test cutoff is E − N days (labels in its N days, all observed) and training
/// cutoff k (k = 1..<see cref="PredictionOptions.TrainingCutoffs"/>) is the test cutoff − (k + N − 1) days, so each
/// training label window ends by the test cutoff and no test label is seen in training. Features are point-in-time
/// (<see cref="PurchaseFeatures"/>, <see cref="PropensityFeatures"/>). The model with the higher test AUC scores;
/// the evaluated model is the one kept (it is not refitted on the test rows), so the report describes exactly
/// what scores.
/// </remarks>
public static class PredictorTrainer
{
    public const long Day = 24 * 3600;

    public static LogisticRegressionOptions Logistic { get; } = new(L2: 1.0);

    /// <summary>Boosting settings by training size: the small-data ones below 50,000 rows.</summary>
    public static GradientBoostedTreesOptions BoostingFor(int rows) => rows < 50_000
        ? NextDayPurchaseExperiment.SmallDataBoosting
        : new GradientBoostedTreesOptions(Rounds: 200, LearningRate: 0.1, MaxDepth: 6, MaxLeaves: 31, MinSamplesLeaf: 100, L2: 1.0);

    /// <summary>The end (exclusive) of the day holding <paramref name="timestamp"/>, in Unix seconds.</summary>
    public static long EndOfDay(long timestamp, int utcOffsetHours)
    {
        var offset = utcOffsetHours * 3600L;
        return (Math.DivRem(timestamp + offset, Day, out var rem) - (rem < 0 ? 1 : 0) + 1) * Day - offset;
    }

    /// <summary>
    /// Where the log's complete days end: the end of the last event's day when that event lies in the day's final
    /// hour (the log evidently covers the whole day), else the start of that day, since a partly observed day
    /// (today, on a live system) would make its labels look negative.
    /// </summary>
    public static long ObservedEnd(long lastTimestamp, int utcOffsetHours)
    {
        var end = EndOfDay(lastTimestamp, utcOffsetHours);
        return end - lastTimestamp <= 3600 ? end : end - Day;
    }

    public static TaskRows Rows(BehaviorHistory history, PredictionTask task, long cutoff, int candidates)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (task.Kind == PredictionTaskKind.Propensity)
        {
            var p = PropensityFeatures.Build(history, cutoff, task.HorizonDays, candidates);
            return new TaskRows(cutoff, p.Users, p.Items, p.Features, p.Labels);
        }

        var label = task.Kind == PredictionTaskKind.Churn ? UserLabel.Churn : UserLabel.Purchase;
        var d = PurchaseFeatures.Build(history, cutoff, task.HorizonDays, label);
        return new TaskRows(cutoff, d.Users, null, d.Features, d.Labels);
    }

    public static IReadOnlyList<string> FeatureNames(PredictionTaskKind kind) =>
        kind == PredictionTaskKind.Propensity ? PropensityFeatures.Names : PurchaseFeatures.Names;

    public static TrainedPredictor Train(BehaviorLog log, PredictionTask task, PredictionOptions options, int version, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        if (log.LastTimestamp is not { } last)
        {
            throw new PredictionException("The event log holds no view, cart, favourite or purchase events to learn from.");
        }

        var end = ObservedEnd(last, options.UtcOffsetHours);
        var testCutoff = end - (task.HorizonDays * Day);
        var parts = new List<TaskRows>();
        for (var k = options.TrainingCutoffs; k >= 1; k--)
        {
            var rows = Rows(log.History, task, testCutoff - ((k + task.HorizonDays - 1) * Day), options.PropensityCandidates);
            if (rows.Labels.Length > 0)
            {
                parts.Add(rows);
            }
        }

        var test = Rows(log.History, task, testCutoff, options.PropensityCandidates);
        if (parts.Count == 0)
        {
            throw new PredictionException(
                $"Not enough history for {task}: no user has events before the first training cutoff {Format(testCutoff - (task.HorizonDays * Day))}.");
        }

        var train = FeatureTable.Concat([.. parts.Select(p => p.Features)]);
        var labels = parts.SelectMany(p => p.Labels).ToArray();
        RequireBothClasses(labels, "training", task);
        RequireBothClasses(test.Labels, "test", task);

        var logistic = LogisticRegression.Train(train, labels, Logistic);
        var boostingOptions = BoostingFor(train.RowCount);
        var boosted = GradientBoostedTrees.Train(train, labels, boostingOptions);
        var evaluations = new[]
        {
            Evaluate("logistic", Logistic.ToString(), logistic, test, LogisticWeights(logistic)),
            Evaluate("gbdt", boostingOptions.ToString(), boosted, test, [.. boosted.FeatureImportances().Select(f => new FeatureWeight(f.Feature, f.Importance, null))]),
        };
        var best = evaluations[1].Auc.Auc > evaluations[0].Auc.Auc ? 1 : 0;
        IBinaryClassifier active = best == 1 ? boosted : logistic;
        var report = new PredictorReport(
            task.Name,
            task.HorizonDays,
            version,
            $"{task.ScoreName}-v{version}",
            now,
            evaluations[best].Model,
            [.. parts.Select(p => DateTimeOffset.FromUnixTimeSeconds(p.Cutoff))],
            DateTimeOffset.FromUnixTimeSeconds(testCutoff),
            DateTimeOffset.FromUnixTimeSeconds(ScoreCutoff(log)),
            train.RowCount,
            (int)labels.Sum(),
            test.Labels.Length,
            (int)test.Labels.Sum(),
            FeatureNames(task.Kind),
            evaluations);
        return new TrainedPredictor(task, active, report);
    }

    /// <summary>Scores are as of just after the latest event in the log (live, that is now).</summary>
    public static long ScoreCutoff(BehaviorLog log) =>
        (log ?? throw new ArgumentNullException(nameof(log))).LastTimestamp is { } last ? last + 1 : 0;

    private static ModelEvaluation Evaluate(string name, string options, IBinaryClassifier model, TaskRows test, IReadOnlyList<FeatureWeight> weights)
    {
        var p = model.PredictProbabilities(test.Features);
        return new ModelEvaluation(
            name,
            options,
            BinaryMetrics.AucWithInterval(p, test.Labels),
            BinaryMetrics.LogLoss(p, test.Labels),
            weights,
            BinaryMetrics.Calibration(p, test.Labels),
            BinaryMetrics.LiftByDecile(p, test.Labels));
    }

    private static FeatureWeight[] LogisticWeights(LogisticRegressionModel model)
    {
        var coefficient = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < model.FeatureNames.Count; i++)
        {
            coefficient[model.FeatureNames[i]] = model.Coefficients[i];
        }

        return [.. model.FeatureImportances().Select(f => new FeatureWeight(f.Feature, f.Importance, coefficient[f.Feature]))];
    }

    private static void RequireBothClasses(float[] labels, string what, PredictionTask task)
    {
        var positives = labels.Sum();
        if (positives == 0 || positives == labels.Length)
        {
            throw new PredictionException(
                $"The {what} rows of {task} ({labels.Length}) are all {(positives == 0 ? "negative" : "positive")}; a predictor needs both outcomes.");
        }
    }

    private static string Format(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("u", System.Globalization.CultureInfo.InvariantCulture);
}
