using System.Globalization;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Factorization;

namespace Attune.Algorithms.Tests.Quality;

/// <summary>Loads the public splits and computes NDCG@10 as docs/REFERENCE defines it (all items ranked, training items excluded).</summary>
internal static class RankingCheck
{
    public static (UserItemMatrix Train, int[][] Test) LoadColakg(string trainPath, string testPath)
    {
        static List<int[]> Read(string path) => File.ReadLines(path)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray())
            .Where(a => a.Length > 0)
            .ToList();

        var train = Read(trainPath);
        var test = Read(testPath);
        var users = 1 + Math.Max(train.Max(a => a[0]), test.Max(a => a[0]));
        var items = 1 + train.Concat(test).Where(a => a.Length > 1).Max(a => a[1..].Max());
        var u = train.SelectMany(a => a[1..].Select(_ => a[0])).ToArray();
        var i = train.SelectMany(a => a[1..]).ToArray();
        var byUser = new int[users][];
        foreach (var a in test)
        {
            byUser[a[0]] = a[1..];
        }

        for (var k = 0; k < users; k++)
        {
            byUser[k] ??= [];
        }

        return (new UserItemMatrix(CsrMatrix.FromCoordinates(users, items, u, i, Enumerable.Repeat(1f, u.Length).ToArray())), byUser);
    }

    /// <summary>ML-100K, every rating a positive, per user shuffled with a seeded RNG and round(0.75 n) kept for training.</summary>
    public static (UserItemMatrix Train, int[][] Test) StratifiedMl100k(string path, int seed)
    {
        var rows = File.ReadLines(path).Select(l => l.Split('\t')).Select(p => (User: int.Parse(p[0], CultureInfo.InvariantCulture) - 1, Item: int.Parse(p[1], CultureInfo.InvariantCulture) - 1)).ToList();
        var users = rows.Max(r => r.User) + 1;
        var items = rows.Max(r => r.Item) + 1;
        var rng = new Random(seed);
        var tu = new List<int>();
        var ti = new List<int>();
        var test = new int[users][];
        foreach (var g in rows.GroupBy(r => r.User).OrderBy(g => g.Key))
        {
            var list = g.Select(r => r.Item).ToArray();
            rng.Shuffle(list);
            var keep = (int)Math.Round(0.75 * list.Length, MidpointRounding.ToEven);
            tu.AddRange(Enumerable.Repeat(g.Key, keep));
            ti.AddRange(list[..keep]);
            test[g.Key] = list[keep..];
        }

        for (var u = 0; u < users; u++)
        {
            test[u] ??= [];
        }

        return (new UserItemMatrix(CsrMatrix.FromCoordinates(users, items, tu.ToArray(), ti.ToArray(), Enumerable.Repeat(1f, tu.Count).ToArray())), test);
    }

    public static double NdcgAt10(IRecommender model, UserItemMatrix train, int[][] test)
    {
        var recs = model is ILatentFactorModel factors
            ? LatentFactors.RecommendAll(factors, 10, train)
            : Enumerable.Range(0, model.UserCount).Select(u => model.Recommend(u, 10, train.ItemsOf(u)).Select(r => r.Item).ToArray()).ToArray();
        double sum = 0;
        var users = 0;
        for (var u = 0; u < test.Length; u++)
        {
            if (test[u].Length == 0)
            {
                continue;
            }

            users++;
            var relevant = test[u].ToHashSet();
            double dcg = 0, idcg = 0;
            for (var p = 0; p < recs[u].Length; p++)
            {
                dcg += relevant.Contains(recs[u][p]) ? 1 / Math.Log2(p + 2) : 0;
            }

            for (var p = 0; p < Math.Min(10, relevant.Count); p++)
            {
                idcg += 1 / Math.Log2(p + 2);
            }

            sum += dcg / idcg;
        }

        return sum / users;
    }
}
