namespace Attune.Algorithms.Clustering;

/// <summary>How to say that a cluster is high or low on a feature ("high spend", "sports", "mobile").</summary>
/// <param name="Feature">The feature name.</param>
/// <param name="High">Words when the cluster is above average; null means "high {Feature}".</param>
/// <param name="Low">Words when it is below average; null means "low {Feature}".</param>
public sealed record FeatureWords(string Feature, string? High = null, string? Low = null);

/// <summary>One feature that sets a cluster apart: its mean in standard deviations from the overall mean.</summary>
public readonly record struct DistinguishingFeature(string Feature, double Deviation, string Words);

/// <summary>A cluster in words.</summary>
public sealed record ClusterDescription(int Cluster, int Size, IReadOnlyList<DistinguishingFeature> Features, string Summary);

/// <summary>
/// Describes each cluster by its most distinguishing features: those whose cluster mean lies furthest from
/// the overall mean in standard deviations (the centroid coordinate in standardized space), largest |deviation|
/// first, at most <c>maxFeatures</c> of them and only those beyond <c>minDeviation</c>.
/// </summary>
public static class ClusterDescriber
{
    public static IReadOnlyList<ClusterDescription> Describe(
        KMeansModel model, IReadOnlyList<FeatureWords>? words = null, int maxFeatures = 3, double minDeviation = 0.5)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lookup = (words ?? []).ToDictionary(w => w.Feature, StringComparer.Ordinal);
        var sizes = model.Sizes();
        var result = new List<ClusterDescription>(model.K);
        for (var c = 0; c < model.K; c++)
        {
            var centroid = model.Centroid(c).ToArray();
            var features = Enumerable.Range(0, centroid.Length)
                .Where(f => Math.Abs(centroid[f]) >= minDeviation)
                .OrderByDescending(f => Math.Abs(centroid[f]))
                .ThenBy(f => f)
                .Take(maxFeatures)
                .Select(f =>
                {
                    var name = model.FeatureNames[f];
                    lookup.TryGetValue(name, out var w);
                    var text = centroid[f] > 0 ? w?.High ?? $"high {name}" : w?.Low ?? $"low {name}";
                    return new DistinguishingFeature(name, centroid[f], text);
                })
                .ToArray();
            var summary = features.Length == 0 ? "average on every feature" : string.Join(", ", features.Select(f => f.Words));
            result.Add(new ClusterDescription(c, sizes[c], features, summary));
        }

        return result;
    }
}
