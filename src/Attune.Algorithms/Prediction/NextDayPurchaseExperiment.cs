using System.Globalization;

namespace Attune.Algorithms.Prediction;

/// <summary>Protocol settings of <see cref="NextDayPurchaseExperiment"/>.</summary>
/// <param name="TrainingDays">Cutoff days stacked for training: the k days before the test day, each a
/// point-in-time row set (features before that day, label = purchase on that day).</param>
/// <param name="HorizonDays">Label window length N.</param>
/// <param name="UtcOffsetHours">Days start at midnight in this time zone (8 for China time).</param>
/// <param name="Features">The subset of <see cref="PurchaseFeatures.Names"/> the models see; null = all.</param>
public sealed record NextDayPurchaseOptions(int TrainingDays = 1, int HorizonDays = 1, int UtcOffsetHours = 8, IReadOnlyList<string>? Features = null)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"NextDayPurchase(TrainingDays={TrainingDays}, HorizonDays={HorizonDays}, UtcOffsetHours={UtcOffsetHours}, " +
        $"Features={(Features is null ? "all" : string.Join('|', Features))})");
}

/// <summary>One model's score on the test cutoff.</summary>
public sealed record ModelResult(string Model, AucEstimate Auc, double LogLoss, IReadOnlyList<FeatureImportance> Importances);

/// <summary>Everything the experiment measured on one test day.</summary>
public sealed record NextDayPurchaseReport(
    DateOnly TestDay, int TrainRows, int TrainPositives, int TestRows, int TestPositives, IReadOnlyList<ModelResult> Models,
    IReadOnlyList<ScoreGroup> LiftOfBest, IReadOnlyList<ScoreGroup> CalibrationOfBest);

/// <summary>
/// Time-split evaluation of next-N-days purchase prediction per user: train on the cutoffs before the test
/// day, test on the test day's cutoff, compare logistic regression, boosted trees, a random forest and
/// recency alone (score = −hours since the last event).
/// </summary>
/// <remarks>
/// No row of the test set is visible in training: training labels cover [D − k, D) and the test label covers
/// [D, D + N), and every feature row is point-in-time (<see cref="PurchaseFeatures"/>). Scores are ROC AUC
/// with DeLong 95% intervals (<see cref="BinaryMetrics.AucWithInterval"/>).
/// </remarks>
public static class NextDayPurchaseExperiment
{
    /// <summary>Settings for the small tables this protocol gives (hundreds to a few thousand rows).</summary>
    public static GradientBoostedTreesOptions SmallDataBoosting { get; } =
        new(Rounds: 150, LearningRate: 0.03, MaxDepth: 3, MaxLeaves: 8, MinSamplesLeaf: 30, L2: 10, FeatureFraction: 0.8);

    public static RandomForestOptions SmallDataForest { get; } = new(Trees: 300, MaxDepth: 8, MinSamplesLeaf: 20);

    public static LogisticRegressionOptions SmallDataLogistic { get; } = new(L2: 1.0);

    public static long CutoffOf(DateOnly day, int utcOffsetHours) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(utcOffsetHours)).ToUnixTimeSeconds();

    public static NextDayPurchaseReport Run(
        BehaviorHistory history, DateOnly testDay, NextDayPurchaseOptions? options = null, LogisticRegressionOptions? logistic = null,
        GradientBoostedTreesOptions? boosting = null, RandomForestOptions? forest = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= new NextDayPurchaseOptions();
        if (options.TrainingDays < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TrainingDays, "TrainingDays must be >= 1.");
        }

        var parts = new List<PurchaseDataset>();
        for (var k = options.TrainingDays; k >= 1; k--)
        {
            // The training label window [cutoff, cutoff + N) must end by the test cutoff.
            var day = testDay.AddDays(-k - options.HorizonDays + 1);
            parts.Add(PurchaseFeatures.Build(history, CutoffOf(day, options.UtcOffsetHours), options.HorizonDays));
        }

        var train = FeatureTable.Concat(parts.Select(p => p.Features).ToArray());
        var trainLabels = parts.SelectMany(p => p.Labels).ToArray();
        var test = PurchaseFeatures.Build(history, CutoffOf(testDay, options.UtcOffsetHours), options.HorizonDays);
        var testFeatures = test.Features;
        if (options.Features is not null)
        {
            train = train.SelectColumns(options.Features);
            testFeatures = testFeatures.SelectColumns(options.Features);
        }

        var models = new List<(string Name, IBinaryClassifier Model)>
        {
            ("logistic regression", LogisticRegression.Train(train, trainLabels, logistic ?? SmallDataLogistic)),
            ("gradient boosting", GradientBoostedTrees.Train(train, trainLabels, boosting ?? SmallDataBoosting)),
            ("random forest", RandomForest.Train(train, trainLabels, forest ?? SmallDataForest)),
        };

        var results = new List<ModelResult>();
        var bestAuc = double.NegativeInfinity;
        IReadOnlyList<ScoreGroup> bestLift = [];
        IReadOnlyList<ScoreGroup> bestCalibration = [];
        foreach (var (name, model) in models)
        {
            var p = model.PredictProbabilities(testFeatures);
            var auc = BinaryMetrics.AucWithInterval(p, test.Labels);
            results.Add(new ModelResult(name, auc, BinaryMetrics.LogLoss(p, test.Labels), model.FeatureImportances()));
            if (auc.Auc > bestAuc)
            {
                bestAuc = auc.Auc;
                bestLift = BinaryMetrics.LiftByDecile(p, test.Labels);
                bestCalibration = BinaryMetrics.Calibration(p, test.Labels);
            }
        }

        var recencyColumn = IndexOf("hours_since_last_event");
        var recency = new double[test.Features.RowCount];
        for (var r = 0; r < recency.Length; r++)
        {
            recency[r] = -test.Features[r, recencyColumn];
        }

        results.Add(new ModelResult("recency alone", BinaryMetrics.AucWithInterval(recency, test.Labels), double.NaN, []));
        return new NextDayPurchaseReport(
            testDay, train.RowCount, (int)trainLabels.Sum(), testFeatures.RowCount, (int)test.Labels.Sum(), results, bestLift, bestCalibration);
    }

    private static int IndexOf(string feature)
    {
        for (var i = 0; i < PurchaseFeatures.Names.Count; i++)
        {
            if (PurchaseFeatures.Names[i] == feature)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"No feature named {feature}.");
    }
}
