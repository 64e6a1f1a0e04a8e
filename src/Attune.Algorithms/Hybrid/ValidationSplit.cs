using Attune.Algorithms.Data;

namespace Attune.Algorithms.Hybrid;

/// <summary>Carves a per-user holdout out of training data, for tuning without touching the test split.</summary>
public static class ValidationSplit
{
    /// <summary>
    /// Holds out one item per user with at least two items (every row of that user-item pair leaves the log
    /// too). Returns the reduced training data and, per user, the held-out item or -1.
    /// </summary>
    public static (TrainingData Train, int[] HeldOut) Create(TrainingData data, ValidationHoldout holdout, int seed)
    {
        if (holdout == ValidationHoldout.Share)
        {
            throw new ArgumentException("A share holdout holds out several items per user: use CreateMany.", nameof(holdout));
        }

        var held = HoldOne(data, holdout, seed);
        var many = held.Select(i => i >= 0 ? new[] { i } : []).ToArray();
        return (Without(data, many), held);
    }

    /// <summary>
    /// Per user, the held-out items (sorted) and the training data without them. Share holds out
    /// round(share x n) random items of a user with n items, keeping at least one for training; Last and
    /// Random hold out one as <see cref="Create"/> does.
    /// </summary>
    public static (TrainingData Train, int[][] HeldOut) CreateMany(TrainingData data, ValidationHoldout holdout, int seed, double share = 0.25)
    {
        if (!(share > 0 && share < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "The holdout share must be in (0, 1).");
        }

        int[][] many;
        if (holdout == ValidationHoldout.Share)
        {
            var m = data.Matrix.Csr;
            var rng = new Random(seed);
            many = new int[m.Rows][];
            for (var u = 0; u < m.Rows; u++)
            {
                var row = m.RowColumns(u).ToArray();
                var count = Math.Min(row.Length - 1, (int)Math.Round(share * row.Length, MidpointRounding.ToEven));
                if (count <= 0)
                {
                    many[u] = [];
                    continue;
                }

                rng.Shuffle(row);
                var picked = row[..count];
                Array.Sort(picked);
                many[u] = picked;
            }
        }
        else
        {
            many = HoldOne(data, holdout, seed).Select(i => i >= 0 ? new[] { i } : []).ToArray();
        }

        return (Without(data, many), many);
    }

    private static int[] HoldOne(TrainingData data, ValidationHoldout holdout, int seed)
    {
        var m = data.Matrix.Csr;
        var log = data.Interactions;
        var held = new int[m.Rows];
        Array.Fill(held, -1);
        if (holdout == ValidationHoldout.Last && log is not null)
        {
            for (var r = 0; r < log.Count; r++)
            {
                if (log.Weight[r] > 0 && m.RowLength(log.User[r]) >= 2 && m.RowColumns(log.User[r]).BinarySearch(log.Item[r]) >= 0)
                {
                    held[log.User[r]] = log.Item[r];
                }
            }
        }
        else
        {
            var rng = new Random(seed);
            for (var u = 0; u < m.Rows; u++)
            {
                var n = m.RowLength(u);
                if (n >= 2)
                {
                    held[u] = m.RowColumns(u)[rng.Next(n)];
                }
            }
        }

        return held;
    }

    /// <summary>The training data without each user's held-out items (their rows leave the log too).</summary>
    private static TrainingData Without(TrainingData data, int[][] held)
    {
        var m = data.Matrix.Csr;
        var log = data.Interactions;

        var start = new int[m.Rows + 1];
        var cols = new int[m.NonZeros];
        var vals = new float[m.NonZeros];
        var w = 0;
        for (var u = 0; u < m.Rows; u++)
        {
            for (var p = m.RowStart[u]; p < m.RowStart[u + 1]; p++)
            {
                if (Array.BinarySearch(held[u], m.ColumnIndex[p]) < 0)
                {
                    cols[w] = m.ColumnIndex[p];
                    vals[w] = m.Values[p];
                    w++;
                }
            }

            start[u + 1] = w;
        }

        Array.Resize(ref cols, w);
        Array.Resize(ref vals, w);
        var matrix = new UserItemMatrix(new CsrMatrix(m.Rows, m.Columns, start, cols, vals));
        InteractionLog? reducedLog = null;
        if (log is not null)
        {
            var keep = new List<int>(log.Count);
            for (var r = 0; r < log.Count; r++)
            {
                if (Array.BinarySearch(held[log.User[r]], log.Item[r]) < 0)
                {
                    keep.Add(r);
                }
            }

            reducedLog = new InteractionLog(
                keep.Select(r => log.User[r]).ToArray(),
                keep.Select(r => log.Item[r]).ToArray(),
                keep.Select(r => log.Weight[r]).ToArray(),
                keep.Select(r => log.TimestampMs[r]).ToArray());
        }

        return new TrainingData(matrix, data.Users, data.Items, reducedLog, data.ItemFeatures);
    }
}
