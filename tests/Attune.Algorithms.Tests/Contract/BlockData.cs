using Attune.Algorithms.Data;

namespace Attune.Algorithms.Tests.Contract;

/// <summary>
/// A small synthetic dataset whose right answer is known: users and items fall into blocks, and users
/// interact mostly with items of their own block. Any personalized model should recommend own-block items.
/// Items carry content (category and words) of their block, so content-based models see the same structure.
/// </summary>
public static class BlockData
{
    public static readonly string[][] BlockWords =
    [
        ["alpine", "hiking", "boots", "trail", "mountain"],
        ["espresso", "coffee", "grinder", "barista", "roast"],
        ["guitar", "strings", "amplifier", "chord", "pedal"],
    ];

    /// <param name="blocks">Number of blocks (at most 3).</param>
    /// <param name="ownDensity">Chance a user touched an item of their own block.</param>
    /// <param name="crossDensity">Chance a user touched an item of another block.</param>
    public static TrainingData Create(int blocks = 2, int usersPerBlock = 40, int itemsPerBlock = 30, double ownDensity = 0.35, double crossDensity = 0.02, int seed = 7)
    {
        var rng = new Random(seed);
        var users = new IdMap(Enumerable.Range(0, blocks * usersPerBlock).Select(u => $"u{u}"));
        var items = new IdMap(Enumerable.Range(0, blocks * itemsPerBlock).Select(i => $"i{i}"));
        var u = new List<int>();
        var it = new List<int>();
        var w = new List<float>();
        var t = new List<long>();
        var time = 1_600_000_000_000L;
        for (var user = 0; user < users.Count; user++)
        {
            var ub = user / usersPerBlock;
            for (var item = 0; item < items.Count; item++)
            {
                var ib = item / itemsPerBlock;

                // Popularity within a block decays with the item's rank, like real catalogs.
                var rank = item % itemsPerBlock;
                var p = (ib == ub ? ownDensity : crossDensity) * (1.5 - (rank / (double)itemsPerBlock));
                if (rng.NextDouble() < p)
                {
                    u.Add(user);
                    it.Add(item);
                    w.Add(1f);
                    time += 60_000;
                    t.Add(time);
                }
            }
        }

        // Interleave each user's items in a random order in time, so sequence models see within-block transitions.
        var order = Enumerable.Range(0, u.Count).OrderBy(i => u[i]).ThenBy(_ => rng.Next()).ToArray();
        var log = new InteractionLog(
            order.Select(i => u[i]).ToArray(),
            order.Select(i => it[i]).ToArray(),
            order.Select(i => w[i]).ToArray(),
            t.ToArray());
        var matrix = new UserItemMatrix(CsrMatrix.FromCoordinates(users.Count, items.Count, log.User, log.Item, log.Weight));
        var features = new ItemFeatures(
            Enumerable.Range(0, items.Count).Select(i => $"{BlockWords[i / itemsPerBlock][i % 5]} item {i}").ToArray(),
            Enumerable.Range(0, items.Count).Select(i => string.Join(' ', BlockWords[i / itemsPerBlock].OrderBy(_ => rng.Next()).Take(3))).ToArray(),
            Enumerable.Range(0, items.Count).Select(i => new[] { $"block{i / itemsPerBlock}" }).ToArray(),
            Enumerable.Range(0, items.Count).Select(i => new[] { BlockWords[i / itemsPerBlock][0] }).ToArray());
        return new TrainingData(matrix, users, items, log, features);
    }

    public static int BlockOfUser(int user, int usersPerBlock = 40) => user / usersPerBlock;

    public static int BlockOfItem(int item, int itemsPerBlock = 30) => item / itemsPerBlock;
}
