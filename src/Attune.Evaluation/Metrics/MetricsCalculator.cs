using Attune.Evaluation.Splits;

namespace Attune.Evaluation.Metrics;

/// <summary>Averages every metric at every K over the evaluated users, overall and per activity group.</summary>
public static class MetricsCalculator
{
    /// <summary>How many activity groups users are cut into (quartiles by distinct training items).</summary>
    public const int ActivityGroups = 4;

    public static MetricResults Compute(EvaluationSplit split, RecommendationLists lists, IReadOnlyList<int> ks)
    {
        var n = lists.Users.Length;
        var accuracy = new double[n][];
        var names = new List<string>();
        foreach (var k in ks)
        {
            foreach (var m in MetricNames.Accuracy)
            {
                names.Add(MetricNames.At(m, k));
            }
        }

        for (var s = 0; s < n; s++)
        {
            var ranked = lists.Of(s);
            var relevant = split.TestItems[lists.Users[s]];
            var row = new double[names.Count];
            var c = 0;
            foreach (var k in ks)
            {
                row[c++] = RankingMetrics.Ndcg(ranked, relevant, k);
                row[c++] = RankingMetrics.Precision(ranked, relevant, k);
                row[c++] = RankingMetrics.Recall(ranked, relevant, k);
                row[c++] = RankingMetrics.HitRate(ranked, relevant, k);
                row[c++] = RankingMetrics.AveragePrecision(ranked, relevant, k);
                row[c++] = RankingMetrics.ReciprocalRank(ranked, relevant, k);
            }

            accuracy[s] = row;
        }

        var all = Enumerable.Range(0, n).ToArray();
        var metrics = Mean(names, accuracy, all);
        AddListLevel(metrics, split, lists, ks);
        return new MetricResults(n, metrics, Groups(split, lists, names, accuracy));
    }

    private static SortedDictionary<string, double> Mean(List<string> names, double[][] rows, int[] slots)
    {
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (var c = 0; c < names.Count; c++)
        {
            var sum = 0.0;
            foreach (var s in slots)
            {
                sum += rows[s][c];
            }

            result[names[c]] = slots.Length == 0 ? 0 : sum / slots.Length;
        }

        return result;
    }

    private static void AddListLevel(SortedDictionary<string, double> metrics, EvaluationSplit split, RecommendationLists lists, IReadOnlyList<int> ks)
    {
        var trainUsers = 0;
        foreach (var items in split.TrainItems)
        {
            if (items.Length > 0)
            {
                trainUsers++;
            }
        }

        var categories = split.Train.ItemFeatures?.Categories;
        var seen = new bool[split.ItemCount];
        foreach (var k in ks)
        {
            Array.Clear(seen);
            var distinct = 0;
            double novelty = 0, popularity = 0, diversity = 0;
            int listed = 0, diverse = 0;
            for (var s = 0; s < lists.Users.Length; s++)
            {
                var ranked = lists.Of(s);
                var top = ranked[..Math.Min(k, ranked.Length)];
                foreach (var i in top)
                {
                    if (!seen[i])
                    {
                        seen[i] = true;
                        distinct++;
                    }
                }

                if (top.Length == 0)
                {
                    continue;
                }

                listed++;
                novelty += BeyondAccuracy.Novelty(top, k, split.ItemUserCounts, trainUsers);
                popularity += BeyondAccuracy.AveragePopularity(top, k, split.ItemUserCounts);
                if (categories is not null)
                {
                    var d = BeyondAccuracy.IntraListDiversity(top, k, categories);
                    if (!double.IsNaN(d))
                    {
                        diversity += d;
                        diverse++;
                    }
                }
            }

            metrics[MetricNames.At(MetricNames.Coverage, k)] = split.ItemCount == 0 ? 0 : (double)distinct / split.ItemCount;
            metrics[MetricNames.At(MetricNames.Novelty, k)] = listed == 0 ? 0 : novelty / listed;
            metrics[MetricNames.At(MetricNames.Popularity, k)] = listed == 0 ? 0 : popularity / listed;
            if (diverse > 0)
            {
                metrics[MetricNames.At(MetricNames.Diversity, k)] = diversity / diverse;
            }
        }
    }

    /// <summary>
    /// Quartiles of the evaluated users by distinct training items (ties by user index), lightest first:
    /// whether a model serves light users as well as heavy ones.
    /// </summary>
    private static List<UserGroupMetrics> Groups(EvaluationSplit split, RecommendationLists lists, List<string> names, double[][] rows)
    {
        var n = lists.Users.Length;
        var groups = new List<UserGroupMetrics>();
        if (n < ActivityGroups)
        {
            return groups;
        }

        var order = Enumerable.Range(0, n)
            .OrderBy(s => split.TrainItems[lists.Users[s]].Length)
            .ThenBy(s => lists.Users[s])
            .ToArray();
        string[] labels = ["Q1 light", "Q2", "Q3", "Q4 heavy"];
        for (var g = 0; g < ActivityGroups; g++)
        {
            var slots = order[(g * n / ActivityGroups)..((g + 1) * n / ActivityGroups)];
            groups.Add(new UserGroupMetrics(
                labels[g],
                slots.Length,
                split.TrainItems[lists.Users[slots[0]]].Length,
                split.TrainItems[lists.Users[slots[^1]]].Length,
                Mean(names, rows, slots)));
        }

        return groups;
    }
}
