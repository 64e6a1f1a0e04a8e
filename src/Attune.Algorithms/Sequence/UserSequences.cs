using Attune.Algorithms.Data;

namespace Attune.Algorithms.Sequence;

/// <summary>Each user's positive events in time order, as a CSR whose row r is user r's item sequence (not sorted by column).</summary>
public static class UserSequences
{
    /// <summary>
    /// From the interaction log when there is one (positive-weight rows, ties in log order); otherwise from
    /// the matrix, whose rows carry no order, so the sequence is by item index.
    /// </summary>
    public static CsrMatrix From(TrainingData data)
    {
        var users = data.Users.Count;
        var log = data.Interactions;
        if (log is null)
        {
            var m = data.Matrix.Csr;
            return new CsrMatrix(users, data.Items.Count, m.RowStart, m.ColumnIndex, m.Values);
        }

        var start = new int[users + 1];
        for (var r = 0; r < log.Count; r++)
        {
            if (log.Weight[r] > 0)
            {
                start[log.User[r] + 1]++;
            }
        }

        for (var u = 0; u < users; u++)
        {
            start[u + 1] += start[u];
        }

        var next = (int[])start.Clone();
        var items = new int[start[users]];
        var weights = new float[start[users]];
        for (var r = 0; r < log.Count; r++)
        {
            if (log.Weight[r] > 0)
            {
                var p = next[log.User[r]]++;
                items[p] = log.Item[r];
                weights[p] = log.Weight[r];
            }
        }

        return new CsrMatrix(users, data.Items.Count, start, items, weights);
    }
}
