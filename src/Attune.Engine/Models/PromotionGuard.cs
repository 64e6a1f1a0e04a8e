using System.Buffers;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Engine.Options;
using Attune.Evaluation.Metrics;

namespace Attune.Engine.Models;

/// <summary>What the promotion guard compares: the candidate's main spec and the active version's, on one data set.</summary>
/// <param name="Data">The full training data of the candidate (with its time-ordered interaction log).</param>
/// <param name="ActiveSpec">The active version's main spec; null when no version is active.</param>
public sealed record CandidateComparison(TrainingData Data, string CandidateSpec, string? ActiveSpec, string? ActiveVersion);

/// <summary>Both scores on the holdout.</summary>
/// <param name="Users">Users measured.</param>
public sealed record ComparisonScores(string Metric, double? Candidate, double? Active, int Users, string? Note = null);

/// <summary>Scores a candidate and the active model on recent interactions. Replaceable (e.g. in tests).</summary>
public interface ICandidateEvaluator
{
    ComparisonScores Compare(CandidateComparison comparison, CancellationToken cancellationToken);
}

/// <summary>
/// Temporal holdout: the interactions are cut at the time below which <c>1 - HoldoutFraction</c> of them lie; both
/// the candidate's algorithm and the active version's are trained on the part before the cut and ranked for the
/// users who come back after it; the metric (e.g. ndcg@10) is averaged over those users, with the items each user
/// already had before the cut excluded from the ranking and from the relevant set.
/// </summary>
/// <remarks>
/// Training both on the same past and measuring on the same future makes the scores comparable even when the two
/// versions were trained at different times; when both specs are equal the second fit is skipped (same data, same
/// seed, same score). At most <see cref="MaxUsers"/> users are measured (every k-th, deterministic). Cost: two fits on
/// the earlier part, and one scoring pass over the measured users (O(users x items)).
/// </remarks>
public sealed class HoldoutEvaluator(ModelTrainer trainer) : ICandidateEvaluator
{
    public const int MaxUsers = 5_000;

    public ComparisonScores Compare(CandidateComparison comparison, CancellationToken cancellationToken)
    {
        var options = trainer.Options;
        if (!PromotionMetric.TryParse(options.Metric, out var metric, out var error))
        {
            throw new InvalidOperationException(error);
        }

        var data = comparison.Data;
        var log = data.Interactions ?? throw new InvalidOperationException("The promotion guard needs the time-ordered interaction log.");
        var split = Split(data, log, options.HoldoutFraction);
        if (split is null)
        {
            return new ComparisonScores(options.Metric, null, null, 0, "too few distinct times to hold out recent interactions");
        }

        var (train, relevant) = split.Value;
        if (relevant.Count == 0)
        {
            return new ComparisonScores(options.Metric, null, null, 0, "no user came back with new items after the cut");
        }

        var candidateModel = trainer.Fit(comparison.CandidateSpec, train, null, cancellationToken);
        var candidate = Score(candidateModel, train.Matrix, relevant, metric, cancellationToken);
        double? active = null;
        if (comparison.ActiveSpec is { } activeSpec)
        {
            if (string.Equals(activeSpec, comparison.CandidateSpec, StringComparison.Ordinal))
            {
                active = candidate;
            }
            else
            {
                try
                {
                    active = Score(trainer.Fit(activeSpec, train, null, cancellationToken), train.Matrix, relevant, metric, cancellationToken);
                }
                catch (ArgumentException ex)
                {
                    // The active version came from a build or configuration whose spec no longer parses or trains here.
                    return new ComparisonScores(options.Metric, candidate, null, relevant.Count, "the active spec could not be trained for comparison: " + ex.Message);
                }
            }
        }

        return new ComparisonScores(options.Metric, candidate, active, relevant.Count);
    }

    /// <summary>Training data before the cut (same id maps) and, per returning user, the sorted new items after it.</summary>
    private static (TrainingData Train, Dictionary<int, int[]> Relevant)? Split(TrainingData data, InteractionLog log, double fraction)
    {
        var n = log.Count;
        var cutIndex = (int)Math.Floor(n * (1 - fraction));
        if (n < 2 || cutIndex <= 0 || cutIndex >= n)
        {
            return null;
        }

        // Rows at the cut time all go to the holdout, so no timestamp straddles the cut.
        var cutTime = log.TimestampMs[cutIndex];
        var trainRows = cutIndex;
        while (trainRows > 0 && log.TimestampMs[trainRows - 1] >= cutTime)
        {
            trainRows--;
        }

        if (trainRows == 0)
        {
            return null;
        }

        var train = TrainingDataBuilder.FromColumns(
            data.Users,
            data.Items,
            log.User.AsSpan(0, trainRows),
            log.Item.AsSpan(0, trainRows),
            log.Weight.AsSpan(0, trainRows),
            log.TimestampMs.AsSpan(0, trainRows),
            new TrainingDataOptions(),
            data.ItemFeatures);

        var future = new Dictionary<int, HashSet<int>>();
        for (var r = trainRows; r < n; r++)
        {
            if (log.Weight[r] <= 0)
            {
                continue;
            }

            var u = log.User[r];
            var history = train.Matrix.ItemsOf(u);
            if (history.Length == 0 || history.BinarySearch(log.Item[r]) >= 0)
            {
                continue;
            }

            if (!future.TryGetValue(u, out var set))
            {
                future[u] = set = [];
            }

            set.Add(log.Item[r]);
        }

        var relevant = new Dictionary<int, int[]>(Math.Min(future.Count, MaxUsers));
        var users = future.Keys.Order().ToArray();
        var step = Math.Max(1, (users.Length + MaxUsers - 1) / MaxUsers);
        for (var k = 0; k < users.Length; k += step)
        {
            var items = future[users[k]].ToArray();
            Array.Sort(items);
            relevant[users[k]] = items;
        }

        return (train, relevant);
    }

    private static double Score(IRecommender model, UserItemMatrix train, Dictionary<int, int[]> relevant, (string Name, int K) metric, CancellationToken cancellationToken)
    {
        var scores = ArrayPool<float>.Shared.Rent(model.ItemCount);
        try
        {
            var total = 0.0;
            var count = 0;
            foreach (var (user, items) in relevant)
            {
                if ((count & 255) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var span = scores.AsSpan(0, model.ItemCount);
                var ranked = model.TryScore(user, span)
                    ? RecommenderExtensions.TopOf(span, metric.K, train.ItemsOf(user))
                    : [];
                var list = new int[ranked.Length];
                for (var p = 0; p < ranked.Length; p++)
                {
                    list[p] = ranked[p].Item;
                }

                total += Measure(metric, list, items);
                count++;
            }

            return count == 0 ? 0 : total / count;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private static double Measure((string Name, int K) metric, ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant) => metric.Name switch
    {
        MetricNames.Ndcg => RankingMetrics.Ndcg(ranked, relevant, metric.K),
        MetricNames.Precision => RankingMetrics.Precision(ranked, relevant, metric.K),
        MetricNames.Recall => RankingMetrics.Recall(ranked, relevant, metric.K),
        MetricNames.HitRate => RankingMetrics.HitRate(ranked, relevant, metric.K),
        MetricNames.Map => RankingMetrics.AveragePrecision(ranked, relevant, metric.K),
        MetricNames.Mrr => RankingMetrics.ReciprocalRank(ranked, relevant, metric.K),
        _ => throw new InvalidOperationException($"Metric {metric.Name} is not an accuracy metric."),
    };
}

/// <summary>Turns scores into the promotion decision.</summary>
public static class PromotionGuard
{
    public static PromotionDecision Decide(ComparisonScores scores, string? activeVersion, ModelsOptions options)
    {
        if (activeVersion is null)
        {
            return new PromotionDecision(true, scores.Metric, scores.Candidate, null, null, options.Tolerance, scores.Users,
                "No model was active: the first model is promoted.");
        }

        if (scores.Candidate is not { } candidate)
        {
            return new PromotionDecision(true, scores.Metric, null, scores.Active, activeVersion, options.Tolerance, scores.Users,
                $"Promoted without comparison: {scores.Note ?? "nothing to measure"}.");
        }

        if (scores.Active is not { } active)
        {
            return new PromotionDecision(true, scores.Metric, candidate, null, activeVersion, options.Tolerance, scores.Users,
                $"Promoted without comparison: {scores.Note ?? "the active model could not be scored"}.");
        }

        var promoted = candidate >= active - options.Tolerance;
        var reason = promoted
            ? $"Candidate {scores.Metric} {candidate:F4} is not worse than active {active:F4} (tolerance {options.Tolerance})."
            : $"Candidate {scores.Metric} {candidate:F4} is worse than active {active:F4} by more than the tolerance {options.Tolerance}; the active version stays.";
        return new PromotionDecision(promoted, scores.Metric, candidate, active, activeVersion, options.Tolerance, scores.Users,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reason}"));
    }
}
