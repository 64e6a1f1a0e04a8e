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

        var start = new int[m.Rows + 1];
        var cols = new int[m.NonZeros];
        var vals = new float[m.NonZeros];
        var w = 0;
        for (var u = 0; u < m.Rows; u++)
        {
            for (var p = m.RowStart[u]; p < m.RowStart[u + 1]; p++)
            {
                if (m.ColumnIndex[p] != held[u])
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
                if (held[log.User[r]] != log.Item[r])
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

        return (new TrainingData(matrix, data.Users, data.Items, reducedLog, data.ItemFeatures), held);
    }
}
