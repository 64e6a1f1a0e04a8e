using Attune.Algorithms.Prediction;
using Attune.Engine.Options;
using Attune.Engine.Profiles;
using Attune.Storage;

namespace Attune.Engine.Prediction;

/// <summary>
/// Trains, evaluates and persists predictors from the event log, and scores users with the latest one, writing
/// the scores back to profiles (<see cref="IProfileStore.SetPredictions"/>) when a profile store is given.
/// Used by the admin endpoints, the scheduled scorer and the CLI.
/// </summary>
public sealed class PredictionService(
    Func<IAttuneStore> store, PredictorRepository repository, PredictionOptions options, IProfileStore? profiles, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public PredictionOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public PredictorRepository Repository { get; } = repository ?? throw new ArgumentNullException(nameof(repository));

    /// <summary>Trains and evaluates a new version and stores it; one training at a time per process.</summary>
    public async Task<PredictorReport> TrainAsync(PredictionTask task, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var log = await BehaviorLog.LoadAsync(store(), cancellationToken);
            var trained = await Task.Run(() => PredictorTrainer.Train(log, task, Options, Repository.NextVersion(task), time.GetUtcNow()), cancellationToken);
            Repository.Save(trained);
            return trained.Report;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs the same temporal evaluation as training but stores nothing.</summary>
    public async Task<PredictorReport> EvaluateAsync(PredictionTask task, CancellationToken cancellationToken = default)
    {
        var log = await BehaviorLog.LoadAsync(store(), cancellationToken);
        return await Task.Run(() => PredictorTrainer.Train(log, task, Options, 0, time.GetUtcNow()).Report, cancellationToken);
    }

    public PredictorReport? LatestReport(PredictionTask task) => Repository.LatestReport(task);

    /// <summary>
    /// Scores every user with events using the latest predictor (for propensity: each user's best candidate item)
    /// and writes the scores to profiles as <see cref="PredictionTask.ScoreName"/>.
    /// </summary>
    /// <param name="everyScore">Given every score (e.g. to export them), before the write-back.</param>
    public async Task<ScoreRun> ScoreAsync(
        PredictionTask task, int top = 10, CancellationToken cancellationToken = default, Action<IReadOnlyList<UserScore>>? everyScore = null)
    {
        var predictor = Repository.Latest(task)
            ?? throw new PredictionException($"No trained predictor for {task}: train it first.", notFound: true);
        var log = await BehaviorLog.LoadAsync(store(), cancellationToken);
        var scores = await Task.Run(() => ScoreAll(log, predictor, Options.PropensityCandidates), cancellationToken);
        everyScore?.Invoke(scores);
        var at = time.GetUtcNow();
        var written = 0;
        if (profiles is not null)
        {
            written = profiles.SetPredictions(
                [.. scores.Select(s => new PredictionWrite(s.UserId, task.ScoreName, s.Score, predictor.Report.ModelVersion, at))]);
        }

        return new ScoreRun(
            predictor.Report.ModelVersion,
            DateTimeOffset.FromUnixTimeSeconds(PredictorTrainer.ScoreCutoff(log)),
            at,
            scores.Count,
            written,
            [.. scores.OrderByDescending(s => s.Score).ThenBy(s => s.UserId, StringComparer.Ordinal).Take(Math.Max(0, top))]);
    }

    /// <summary>The probability that <paramref name="userId"/> buys each item in the horizon of the latest propensity predictor.</summary>
    public async Task<IReadOnlyList<UserScore>> ScorePairsAsync(
        int horizonDays, string userId, IReadOnlyList<string> itemIds, CancellationToken cancellationToken = default)
    {
        var task = new PredictionTask(PredictionTaskKind.Propensity, horizonDays);
        var predictor = Repository.Latest(task)
            ?? throw new PredictionException($"No trained predictor for {task}: train it first.", notFound: true);
        var log = await BehaviorLog.LoadAsync(store(), cancellationToken);
        var cutoff = PredictorTrainer.ScoreCutoff(log);
        var stats = ItemStatistics.Build(log.History, cutoff);
        var past = log.TryGetUser(userId, out var u) ? log.History.EventsBefore(u, cutoff).ToArray() : [];
        var row = new float[PropensityFeatures.Names.Count];
        var result = new List<UserScore>(itemIds.Count);
        foreach (var itemId in itemIds)
        {
            // An item nobody touched still gets a score: its counts are zero and its category unknown.
            var item = log.TryGetItem(itemId, out var i) ? i : -1;
            PropensityFeatures.Compute(past, item, stats, cutoff, row);
            result.Add(new UserScore(userId, itemId, predictor.Model.PredictProbability(row)));
        }

        return result;
    }

    /// <summary>Scores every user of the log at <see cref="PredictorTrainer.ScoreCutoff"/>.</summary>
    public static List<UserScore> ScoreAll(BehaviorLog log, TrainedPredictor predictor, int candidates)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(predictor);
        var cutoff = PredictorTrainer.ScoreCutoff(log);
        var result = new List<UserScore>(log.History.Users.Count);
        if (predictor.Task.Kind != PredictionTaskKind.Propensity)
        {
            var row = new float[PurchaseFeatures.Names.Count];
            foreach (var user in log.History.Users)
            {
                PurchaseFeatures.Compute(log.History.EventsBefore(user, cutoff), cutoff, row);
                result.Add(new UserScore(log.UserId(user), null, predictor.Model.PredictProbability(row)));
            }

            return result;
        }

        var stats = ItemStatistics.Build(log.History, cutoff);
        var pair = new float[PropensityFeatures.Names.Count];
        foreach (var user in log.History.Users)
        {
            var past = log.History.EventsBefore(user, cutoff);
            var best = new UserScore(log.UserId(user), null, double.NegativeInfinity);
            foreach (var item in PropensityFeatures.Candidates(past, candidates))
            {
                PropensityFeatures.Compute(past, item, stats, cutoff, pair);
                var p = predictor.Model.PredictProbability(pair);
                if (p > best.Score)
                {
                    best = best with { ItemId = log.ItemId(item), Score = p };
                }
            }

            if (best.ItemId is not null)
            {
                result.Add(best);
            }
        }

        return result;
    }
}
