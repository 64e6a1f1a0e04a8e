using Attune.Evaluation.Data;

namespace Attune.Evaluation.Splits;

/// <summary>
/// The row-level protocols. Each returns row indices of the input for the train and the test part; both
/// parts keep file order and share the input's id maps.
/// </summary>
public static class Splitter
{
    public static EvaluationSplit Split(Interactions rows, SplitOptions options)
    {
        options.Validate();
        var (train, test) = options.Protocol switch
        {
            Protocol.Stratified => Stratified(rows, options.Ratio, options.Seed),
            Protocol.LeaveLastOut => LeaveLastOut(rows),
            Protocol.Temporal => Temporal(rows, options.Ratio),
            Protocol.Given => throw new EvaluationException("The given protocol reads a fixed train/test pair; it does not split rows."),
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        };
        return new EvaluationSplit(rows.Subset(train), rows.Subset(test), requireTrainingItems: options.Protocol == Protocol.Temporal);
    }

    /// <summary>
    /// Per user (users in index order), a Fisher-Yates shuffle of the user's rows with one seeded
    /// generator; the first round(ratio * n) rows train. Rounding is half to even, as Python's
    /// <c>round</c> in Microsoft Recommenders' <c>python_stratified_split</c>.
    /// </summary>
    public static (int[] Train, int[] Test) Stratified(Interactions rows, double ratio, int seed)
    {
        var rng = new Random(seed);
        var inTrain = new bool[rows.Count];
        foreach (var group in rows.RowsByUser())
        {
            var shuffled = (int[])group.Clone();
            for (var i = shuffled.Length - 1; i > 0; i--)
            {
                var j = rng.Next(i + 1);
                (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
            }

            var keep = TrainCount(ratio, shuffled.Length);
            for (var k = 0; k < keep; k++)
            {
                inTrain[shuffled[k]] = true;
            }
        }

        return Partition(inTrain);
    }

    /// <summary>round(ratio * n), half to even.</summary>
    public static int TrainCount(double ratio, int n) => (int)Math.Round(ratio * n, MidpointRounding.ToEven);

    /// <summary>
    /// Per user, the row with the latest timestamp (ties: the later in file order) is held out. A user
    /// with a single row keeps it for training: holding it out would leave nothing to learn from.
    /// </summary>
    public static (int[] Train, int[] Test) LeaveLastOut(Interactions rows)
    {
        var inTrain = new bool[rows.Count];
        Array.Fill(inTrain, true);
        foreach (var group in rows.RowsByUser())
        {
            if (group.Length < 2)
            {
                continue;
            }

            // Rows of a group are in file order, so a later row with an equal time wins the tie.
            var last = group[0];
            foreach (var r in group)
            {
                if (rows.TimestampMs[r] >= rows.TimestampMs[last])
                {
                    last = r;
                }
            }

            inTrain[last] = false;
        }

        return Partition(inTrain);
    }

    /// <summary>All rows sorted by time (ties by file order); the first round(ratio * n) train.</summary>
    public static (int[] Train, int[] Test) Temporal(Interactions rows, double ratio)
    {
        var order = new int[rows.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var time = rows.TimestampMs;
        Array.Sort(order, (a, b) =>
        {
            var c = time[a].CompareTo(time[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var inTrain = new bool[rows.Count];
        var keep = TrainCount(ratio, rows.Count);
        for (var k = 0; k < keep; k++)
        {
            inTrain[order[k]] = true;
        }

        return Partition(inTrain);
    }

    private static (int[] Train, int[] Test) Partition(bool[] inTrain)
    {
        var train = new List<int>(inTrain.Length);
        var test = new List<int>();
        for (var r = 0; r < inTrain.Length; r++)
        {
            (inTrain[r] ? train : test).Add(r);
        }

        return ([.. train], [.. test]);
    }
}
