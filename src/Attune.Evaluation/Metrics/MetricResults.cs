namespace Attune.Evaluation.Metrics;

/// <summary>Averages over one group of users (e.g. the lightest quarter by training items).</summary>
/// <param name="MinTrainingItems">The fewest distinct training items of a user in the group.</param>
public sealed record UserGroupMetrics(string Name, int Users, int MinTrainingItems, int MaxTrainingItems, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Every metric of one model, keyed like <c>ndcg@10</c>, plus the per-activity-group breakdown.</summary>
public sealed record MetricResults(int Users, IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<UserGroupMetrics> Groups)
{
    public double this[string key] => Metrics.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"No metric '{key}' (have {string.Join(", ", Metrics.Keys)}).");
}
