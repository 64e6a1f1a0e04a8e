using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;

namespace Attune.Algorithms.Popularity;

/// <summary>All-time popularity: the weighted interaction total (or distinct users) per item.</summary>
/// <remarks>The baseline every personalized model must beat (Cremonesi et al., RecSys 2010). O(nnz).</remarks>
public sealed class PopularityTrainer : ITrainer<PopularityOptions>
{
    public IRecommender Fit(TrainingData data, PopularityOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var csr = data.Matrix.Csr;
        var scores = new float[csr.Columns];
        for (var p = 0; p < csr.NonZeros; p++)
        {
            scores[csr.ColumnIndex[p]] += options.Weighted ? csr.Values[p] : 1f;
        }

        progress?.Report(new TrainingProgress("count", 1, 1));
        return new PopularityModel(PopularityAlgorithm.AlgorithmName, options.ToString(), data.Users.Count, scores, PopularityModel.GroupByCategory(data.ItemFeatures));
    }
}

/// <summary>Trending: event weights decayed by age relative to the latest event, with a half-life.</summary>
/// <remarks>score(i) = sum over positive events e on i of w(e) * 2^(-(t_last - t(e)) / halfLife). O(events).</remarks>
public sealed class TrendingTrainer : ITrainer<TrendingOptions>
{
    public IRecommender Fit(TrainingData data, TrendingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!(options.HalfLifeDays > 0))
        {
            throw new ArgumentException($"HalfLifeDays must be positive, got {options.HalfLifeDays}.", nameof(options));
        }

        var log = data.Interactions
            ?? throw new ArgumentException("Trending needs the time-ordered interaction log; build the training data with KeepInteractionLog = true.", nameof(data));
        var scores = new float[data.Items.Count];
        if (log.Count > 0)
        {
            var last = log.TimestampMs[^1];
            var halfLifeMs = options.HalfLifeDays * 86_400_000d;
            var sums = new double[scores.Length];
            for (var r = 0; r < log.Count; r++)
            {
                var w = log.Weight[r];
                if (w > 0)
                {
                    sums[log.Item[r]] += (options.Weighted ? w : 1) * Math.Pow(2, -(last - log.TimestampMs[r]) / halfLifeMs);
                }
            }

            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = (float)sums[i];
            }
        }

        progress?.Report(new TrainingProgress("decay", 1, 1));
        return new PopularityModel(TrendingAlgorithm.AlgorithmName, options.ToString(), data.Users.Count, scores, PopularityModel.GroupByCategory(data.ItemFeatures));
    }
}

public sealed class PopularityAlgorithm : Algorithm<PopularityOptions>
{
    public const string AlgorithmName = "popularity";

    public override string Name => AlgorithmName;

    public override string Description => "Most popular items of all time (weighted interaction totals)";

    protected override IRecommender Fit(TrainingData data, PopularityOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new PopularityTrainer().Fit(data, options, progress, cancellationToken);
}

public sealed class TrendingAlgorithm : Algorithm<TrendingOptions>
{
    public const string AlgorithmName = "trending";

    public override string Name => AlgorithmName;

    public override string Description => "Trending items: interaction weights decayed by age with a half-life";

    protected override IRecommender Fit(TrainingData data, TrendingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new TrendingTrainer().Fit(data, options, progress, cancellationToken);
}
