using System.Text.Json;
using System.Text.Json.Serialization;
using Attune.Algorithms.Prediction;

namespace Attune.Engine.Prediction;

/// <summary>How one model did on the held-out cutoff.</summary>
/// <param name="Model"><c>logistic</c> or <c>gbdt</c>.</param>
/// <param name="Options">Every hyper-parameter, as the options record prints them.</param>
/// <param name="Auc">ROC AUC with its DeLong 95% interval.</param>
/// <param name="LogLoss">Mean negative log-likelihood on the test rows.</param>
/// <param name="Importances">Largest first: share of split gain (gbdt) or of |standardized coefficient| (logistic).</param>
/// <param name="Calibration">Reliability table: deciles of predicted probability, lowest first.</param>
/// <param name="Lift">Deciles of score, highest first, with lift over the base rate.</param>
public sealed record ModelEvaluation(
    string Model,
    string Options,
    AucEstimate Auc,
    double LogLoss,
    IReadOnlyList<FeatureWeight> Importances,
    IReadOnlyList<ScoreGroup> Calibration,
    IReadOnlyList<ScoreGroup> Lift);

/// <param name="Importance">Normalized importance (the shares sum to 1).</param>
/// <param name="Coefficient">Logistic regression only: the signed coefficient per standard deviation of the feature.</param>
public sealed record FeatureWeight(string Feature, double Importance, double? Coefficient);

/// <summary>Everything known about one trained predictor version: the protocol, the data sizes and the test scores.</summary>
/// <param name="Task">purchase, churn or propensity.</param>
/// <param name="ModelVersion">E.g. <c>purchase_7d-v3</c>: the name scores carry and the version number.</param>
/// <param name="ActiveModel">The model that scores (the one with the higher test AUC).</param>
/// <param name="TrainingCutoffs">Feature cutoffs stacked for training; each label window ends by the test cutoff.</param>
/// <param name="TestCutoff">Features before it, labels in [TestCutoff, TestCutoff + N days).</param>
/// <param name="ScoredAt">The cutoff used when scoring: just after the latest event in the log.</param>
public sealed record PredictorReport(
    string Task,
    int HorizonDays,
    int Version,
    string ModelVersion,
    DateTimeOffset TrainedAt,
    string ActiveModel,
    IReadOnlyList<DateTimeOffset> TrainingCutoffs,
    DateTimeOffset TestCutoff,
    DateTimeOffset ScoredAt,
    int TrainRows,
    int TrainPositives,
    int TestRows,
    int TestPositives,
    IReadOnlyList<string> Features,
    IReadOnlyList<ModelEvaluation> Models)
{
    [JsonIgnore]
    public ModelEvaluation Active => Models.First(m => m.Model == ActiveModel);
}

/// <summary>One score written for a user (and, for propensity, the item it is about).</summary>
public sealed record UserScore(string UserId, string? ItemId, double Score);

/// <summary>The outcome of a scoring run.</summary>
/// <param name="Written">Scores handed to the profile store.</param>
/// <param name="Top">The highest scores, for a quick look.</param>
public sealed record ScoreRun(string ModelVersion, DateTimeOffset Cutoff, DateTimeOffset ScoredAt, int Users, int Written, IReadOnlyList<UserScore> Top);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(PredictorReport))]
[JsonSerializable(typeof(ScoreRun))]
[JsonSerializable(typeof(IReadOnlyList<UserScore>))]
public sealed partial class PredictionJsonContext : JsonSerializerContext;
