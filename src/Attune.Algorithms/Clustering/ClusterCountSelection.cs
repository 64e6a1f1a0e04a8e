using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Clustering;

/// <summary>The silhouette of one candidate k.</summary>
public readonly record struct ClusterCountScore(int K, double Silhouette, double Inertia);

/// <summary>The chosen clustering and the silhouette of every k tried.</summary>
public sealed record ClusterCountSelection(KMeansModel Best, IReadOnlyList<ClusterCountScore> Scores);

public static class KMeansSelection
{
    /// <summary>
    /// Fits k-means for every k in [<paramref name="minK"/>, <paramref name="maxK"/>] and keeps the k with the
    /// highest mean silhouette (<see cref="Silhouette"/>, on a sample of <paramref name="silhouetteSample"/>
    /// standardized rows when n is larger). Ties go to the smaller k. Cost: the k-means fits plus
    /// O(s²·d) per k for s sampled rows.
    /// </summary>
    public static ClusterCountSelection FitBestK(
        FeatureTable table, int minK, int maxK, KMeansOptions? options = null, int silhouetteSample = Silhouette.DefaultSampleSize)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (minK < 2 || maxK < minK)
        {
            throw new ArgumentOutOfRangeException(nameof(minK), $"Need 2 <= minK <= maxK; got minK = {minK}, maxK = {maxK} (silhouette is undefined for k = 1).");
        }

        options ??= new KMeansOptions();
        var scores = new List<ClusterCountScore>();
        KMeansModel? best = null;
        var bestScore = double.NegativeInfinity;
        for (var k = minK; k <= maxK; k++)
        {
            var model = KMeans.Fit(table, options with { K = k });
            var standardized = model.Standardizer.Transform(table).Values;
            var assignments = model.Assignments.ToArray();
            var s = Silhouette.Score(standardized, table.ColumnCount, assignments, k, silhouetteSample, options.Seed);
            scores.Add(new ClusterCountScore(k, s, model.Inertia));
            if (s > bestScore)
            {
                bestScore = s;
                best = model;
            }
        }

        return new ClusterCountSelection(best!, scores);
    }
}
