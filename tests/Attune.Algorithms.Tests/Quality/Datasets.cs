using System.Globalization;
using System.IO.Compression;
using Attune.Algorithms.Data;

namespace Attune.Algorithms.Tests.Quality;

/// <summary>A train split and, per user index, the held-out items.</summary>
public sealed record Split(TrainingData Train, int[][] Test);

/// <summary>Reads the shared datasets into the splits of REFERENCE.md (the files themselves stay outside the repository).</summary>
public static class Datasets
{
    public const string Colakg = "movielens-1m/implicit-colakg";
    public const string Ml100K = "movielens-100k/u.data";
    public const string Ml1MPartial = "movielens-1m/ratings-users-0001-2999.dat.gz";

    /// <summary>The given CoLaKG ML-1M files: "userIndex itemIndex itemIndex ..." per line.</summary>
    public static Split ColakgGiven(string folder)
    {
        var train = ReadLists(Path.Combine(folder, "train.txt"));
        var test = ReadLists(Path.Combine(folder, "test.txt"));
        var users = 1 + Math.Max(train.Keys.Max(), test.Keys.Max());
        var items = 1 + Math.Max(train.Values.Max(l => l.Count == 0 ? -1 : l.Max()), test.Values.Max(l => l.Count == 0 ? -1 : l.Max()));
        var u = new List<int>();
        var i = new List<int>();
        foreach (var (user, list) in train)
        {
            foreach (var item in list)
            {
                u.Add(user);
                i.Add(item);
            }
        }

        var data = TrainingDataBuilder.FromColumns(users, items, u.ToArray(), i.ToArray(), Enumerable.Repeat(1f, u.Count).ToArray());
        var perUser = new int[users][];
        for (var x = 0; x < users; x++)
        {
            perUser[x] = test.TryGetValue(x, out var l) ? l.Distinct().ToArray() : [];
        }

        return new Split(data, perUser);
    }

    /// <summary>ML-100K, every rating a positive, per-user stratified random 75/25 with one seeded RNG.</summary>
    public static Split Ml100KStratified(string uData, int seed = 42, double trainShare = 0.75)
    {
        var rows = File.ReadLines(uData)
            .Select(l => l.Split('\t'))
            .Select(p => (User: int.Parse(p[0], CultureInfo.InvariantCulture), Item: int.Parse(p[1], CultureInfo.InvariantCulture), Time: long.Parse(p[3], CultureInfo.InvariantCulture)))
            .ToArray();
        var users = new IdMap(rows.Select(r => r.User).Distinct().Order().Select(x => x.ToString(CultureInfo.InvariantCulture)));
        var items = new IdMap(rows.Select(r => r.Item).Distinct().Order().Select(x => x.ToString(CultureInfo.InvariantCulture)));
        var rng = new Random(seed);
        var u = new List<int>();
        var i = new List<int>();
        var t = new List<long>();
        var test = new int[users.Count][];
        foreach (var group in rows.GroupBy(r => r.User).OrderBy(g => g.Key))
        {
            var list = group.ToArray();
            rng.Shuffle(list);
            var keep = (int)Math.Round(trainShare * list.Length, MidpointRounding.ToEven);
            var user = users.IndexOf(group.Key.ToString(CultureInfo.InvariantCulture));
            foreach (var r in list[..keep])
            {
                u.Add(user);
                i.Add(items.IndexOf(r.Item.ToString(CultureInfo.InvariantCulture)));
                t.Add(r.Time * 1000);
            }

            test[user] = list[keep..].Select(r => items.IndexOf(r.Item.ToString(CultureInfo.InvariantCulture))).ToArray();
        }

        var data = TrainingDataBuilder.FromColumns(users, items, u.ToArray(), i.ToArray(), Enumerable.Repeat(1f, u.Count).ToArray(), t.ToArray());
        return new Split(data, test);
    }

    /// <summary>ML-1M users 1-2999, leave-last-out: per user by timestamp (ties by file order) the last rating is held out.</summary>
    public static Split Ml1MLeaveLastOut(string gz)
    {
        var rows = new List<(int User, int Item, long Time)>();
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress)))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                var p = line.Split("::");
                rows.Add((int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[3], CultureInfo.InvariantCulture)));
            }
        }

        var users = new IdMap(rows.Select(r => r.User).Distinct().Order().Select(x => x.ToString(CultureInfo.InvariantCulture)));
        var items = new IdMap(rows.Select(r => r.Item).Distinct().Order().Select(x => x.ToString(CultureInfo.InvariantCulture)));
        var held = new int[users.Count];
        var lastTime = new long[users.Count];
        Array.Fill(held, -1);
        Array.Fill(lastTime, long.MinValue);
        for (var r = 0; r < rows.Count; r++)
        {
            var user = users.IndexOf(rows[r].User.ToString(CultureInfo.InvariantCulture));
            if (rows[r].Time >= lastTime[user])
            {
                lastTime[user] = rows[r].Time;
                held[user] = r;
            }
        }

        var u = new List<int>();
        var i = new List<int>();
        var t = new List<long>();
        var test = new int[users.Count][];
        for (var r = 0; r < rows.Count; r++)
        {
            var user = users.IndexOf(rows[r].User.ToString(CultureInfo.InvariantCulture));
            var item = items.IndexOf(rows[r].Item.ToString(CultureInfo.InvariantCulture));
            if (held[user] == r)
            {
                test[user] = [item];
            }
            else
            {
                u.Add(user);
                i.Add(item);
                t.Add(rows[r].Time * 1000);
            }
        }

        var data = TrainingDataBuilder.FromColumns(users, items, u.ToArray(), i.ToArray(), Enumerable.Repeat(1f, u.Count).ToArray(), t.ToArray());
        return new Split(data, test);
    }

    private static Dictionary<int, List<int>> ReadLists(string path)
    {
        var result = new Dictionary<int, List<int>>();
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            var user = int.Parse(parts[0], CultureInfo.InvariantCulture);
            result[user] = parts.Skip(1).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        }

        return result;
    }
}
