using Attune.Algorithms.Data;
using Attune.Evaluation.Data;

namespace Attune.Evaluation.Splits;

/// <summary>
/// A train part and a test part over one id universe, with what every metric needs precomputed: each
/// user's distinct training items (excluded from the ranking) and distinct test items (the relevant set).
/// </summary>
/// <remarks>
/// A test item the user already has in training is dropped from that user's relevant set: the protocol
/// never recommends a training item, so it could only ever count as a miss. Users are evaluated when they
/// have at least one relevant item (and, with <c>requireTrainingItems</c>, at least one training item).
/// </remarks>
public sealed class EvaluationSplit
{
    private TrainingData? _trainingData;

    public EvaluationSplit(Interactions train, Interactions test, bool requireTrainingItems = false)
    {
        if (!ReferenceEquals(train.Users, test.Users) || !ReferenceEquals(train.Items, test.Items))
        {
            throw new ArgumentException("Train and test must share their id maps.");
        }

        Train = train;
        Test = test;
        TrainItems = DistinctItemsByUser(train);
        var testItems = DistinctItemsByUser(test);
        for (var u = 0; u < testItems.Length; u++)
        {
            testItems[u] = Except(testItems[u], TrainItems[u]);
        }

        TestItems = testItems;
        var evaluated = new List<int>();
        for (var u = 0; u < testItems.Length; u++)
        {
            if (testItems[u].Length > 0 && (!requireTrainingItems || TrainItems[u].Length > 0))
            {
                evaluated.Add(u);
            }
        }

        EvaluatedUsers = [.. evaluated];
        ItemUserCounts = new int[train.ItemCount];
        foreach (var items in TrainItems)
        {
            foreach (var i in items)
            {
                ItemUserCounts[i]++;
            }
        }
    }

    public Interactions Train { get; }

    public Interactions Test { get; }

    public int UserCount => Train.UserCount;

    public int ItemCount => Train.ItemCount;

    /// <summary>Per user, the sorted distinct items seen in training.</summary>
    public int[][] TrainItems { get; }

    /// <summary>Per user, the sorted distinct relevant test items (training items removed).</summary>
    public int[][] TestItems { get; }

    /// <summary>The users every average runs over, ascending.</summary>
    public int[] EvaluatedUsers { get; }

    /// <summary>Per item, how many distinct users have it in training (its popularity).</summary>
    public int[] ItemUserCounts { get; }

    public TrainingData TrainingData => _trainingData ??= Train.ToTrainingData();

    public int TestInteractionCount
    {
        get
        {
            var n = 0;
            foreach (var u in EvaluatedUsers)
            {
                n += TestItems[u].Length;
            }

            return n;
        }
    }

    private static int[][] DistinctItemsByUser(Interactions rows)
    {
        var groups = rows.RowsByUser();
        var result = new int[groups.Length][];
        for (var u = 0; u < groups.Length; u++)
        {
            var g = groups[u];
            var items = new int[g.Length];
            for (var k = 0; k < g.Length; k++)
            {
                items[k] = rows.Item[g[k]];
            }

            Array.Sort(items);
            var w = 0;
            for (var k = 0; k < items.Length; k++)
            {
                if (w == 0 || items[w - 1] != items[k])
                {
                    items[w++] = items[k];
                }
            }

            result[u] = w == items.Length ? items : items[..w];
        }

        return result;
    }

    private static int[] Except(int[] sorted, int[] removeSorted)
    {
        if (removeSorted.Length == 0 || sorted.Length == 0)
        {
            return sorted;
        }

        var keep = new List<int>(sorted.Length);
        foreach (var i in sorted)
        {
            if (Array.BinarySearch(removeSorted, i) < 0)
            {
                keep.Add(i);
            }
        }

        return keep.Count == sorted.Length ? sorted : [.. keep];
    }
}
