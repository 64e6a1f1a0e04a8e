using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;

namespace Attune.Algorithms.Neighbors;

/// <summary>Reads the best entries of one row of a neighbour matrix.</summary>
public static class NeighborList
{
    /// <summary>The <paramref name="n"/> highest-valued entries of row <paramref name="row"/>, best first, never the row itself.</summary>
    public static IReadOnlyList<ScoredItem> Best(CsrMatrix neighbors, int row, int n)
    {
        if ((uint)row >= (uint)neighbors.Rows || n <= 0)
        {
            return [];
        }

        var cols = neighbors.RowColumns(row);
        var vals = neighbors.RowValues(row);
        var list = new List<ScoredItem>(cols.Length);
        for (var k = 0; k < cols.Length; k++)
        {
            if (cols[k] != row)
            {
                list.Add(new ScoredItem(cols[k], vals[k]));
            }
        }

        list.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Item.CompareTo(b.Item));
        if (list.Count > n)
        {
            list.RemoveRange(n, list.Count - n);
        }

        return list;
    }
}
