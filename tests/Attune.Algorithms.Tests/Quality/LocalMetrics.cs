using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;

namespace Attune.Algorithms.Tests.Quality;

public readonly record struct RankingQuality(double Ndcg, double HitRate, double Precision, double Recall, int Users);

/// <summary>
/// HR, precision, recall and NDCG at K as REFERENCE.md defines them: ranking over all items, training items
/// excluded, ties by item index, binary relevance, averaged over users with a test item and a training item.
/// </summary>
public static class LocalMetrics
{
    public static RankingQuality Evaluate(IRecommender model, Split split, int k = 10)
    {
        var train = split.Train.Matrix;
        double ndcg = 0, hr = 0, precision = 0, recall = 0;
        var users = 0;
        var gate = new Lock();
        Parallel.For(
            0,
            train.Users,
            () => (Scores: new float[model.ItemCount], Sums: new double[5]),
            (u, _, local) =>
            {
                var test = split.Test[u];
                if (test is null || test.Length == 0 || train.ItemsOf(u).Length == 0)
                {
                    return local;
                }

                local.Sums[4]++;
                if (!model.TryScore(u, local.Scores))
                {
                    return local;
                }

                var top = RecommenderExtensions.TopOf(local.Scores, k, train.ItemsOf(u));
                double dcg = 0;
                var hits = 0;
                for (var p = 0; p < top.Length; p++)
                {
                    if (Array.IndexOf(test, top[p].Item) >= 0)
                    {
                        hits++;
                        dcg += 1 / Math.Log2(p + 2);
                    }
                }

                double idcg = 0;
                for (var p = 0; p < Math.Min(k, test.Length); p++)
                {
                    idcg += 1 / Math.Log2(p + 2);
                }

                local.Sums[0] += dcg / idcg;
                local.Sums[1] += hits > 0 ? 1 : 0;
                local.Sums[2] += hits / (double)k;
                local.Sums[3] += hits / (double)test.Length;
                return local;
            },
            local =>
            {
                lock (gate)
                {
                    ndcg += local.Sums[0];
                    hr += local.Sums[1];
                    precision += local.Sums[2];
                    recall += local.Sums[3];
                    users += (int)local.Sums[4];
                }
            });

        return new RankingQuality(ndcg / users, hr / users, precision / users, recall / users, users);
    }
}
