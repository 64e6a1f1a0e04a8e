namespace Attune.Evaluation.Metrics;

/// <summary>The metric keys of reports, e.g. <c>ndcg@10</c>.</summary>
public static class MetricNames
{
    public const string Ndcg = "ndcg";
    public const string Precision = "precision";
    public const string Recall = "recall";
    public const string HitRate = "hr";
    public const string Map = "map";
    public const string Mrr = "mrr";
    public const string Coverage = "coverage";
    public const string Novelty = "novelty";
    public const string Popularity = "arp";
    public const string Diversity = "diversity";

    /// <summary>Accuracy metrics, in report order.</summary>
    public static IReadOnlyList<string> Accuracy { get; } = [Ndcg, Precision, Recall, HitRate, Map, Mrr];

    /// <summary>List-level metrics, in report order.</summary>
    public static IReadOnlyList<string> ListLevel { get; } = [Coverage, Novelty, Popularity, Diversity];

    public static string At(string metric, int k) => $"{metric}@{k}";

    /// <summary>Parses "ndcg@10" (also "NDCG@10", "hr@20"); throws a clear message on anything else.</summary>
    public static (string Metric, int K) Parse(string key)
    {
        var at = key.IndexOf('@', StringComparison.Ordinal);
        var name = (at < 0 ? key : key[..at]).Trim().ToLowerInvariant();
        name = name switch
        {
            "p" => Precision,
            "r" => Recall,
            "hitrate" or "hit" => HitRate,
            _ => name,
        };
        if (at < 0 || !int.TryParse(key.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k) || k <= 0)
        {
            throw new EvaluationException($"Metric '{key}' must look like ndcg@10.");
        }

        if (!Accuracy.Contains(name) && !ListLevel.Contains(name))
        {
            throw new EvaluationException($"Unknown metric '{key}'. Known: {string.Join(", ", Accuracy.Concat(ListLevel))} (each @K).");
        }

        return (name, k);
    }
}
