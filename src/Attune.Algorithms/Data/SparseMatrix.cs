namespace Attune.Algorithms.Data;

/// <summary>
/// Compressed sparse rows: row r's columns are <c>ColumnIndex[RowStart[r]..RowStart[r+1]]</c>, sorted
/// ascending, with matching <c>Values</c>. Immutable once built. The two oriented wrappers,
/// <see cref="UserItemMatrix"/> and <see cref="ItemUserMatrix"/>, keep rows-are-users and rows-are-items
/// apart in the type system.
/// </summary>
public sealed class CsrMatrix
{
    public CsrMatrix(int rows, int columns, int[] rowStart, int[] columnIndex, float[] values)
    {
        if (rowStart.Length != rows + 1)
        {
            throw new ArgumentException($"rowStart must have rows + 1 = {rows + 1} entries, has {rowStart.Length}.", nameof(rowStart));
        }

        if (columnIndex.Length != values.Length || rowStart[rows] != values.Length)
        {
            throw new ArgumentException("columnIndex and values must both have rowStart[rows] entries.", nameof(values));
        }

        Rows = rows;
        Columns = columns;
        RowStart = rowStart;
        ColumnIndex = columnIndex;
        Values = values;
    }

    public int Rows { get; }

    public int Columns { get; }

    public int[] RowStart { get; }

    public int[] ColumnIndex { get; }

    public float[] Values { get; }

    public int NonZeros => Values.Length;

    public ReadOnlySpan<int> RowColumns(int row) => ColumnIndex.AsSpan(RowStart[row], RowStart[row + 1] - RowStart[row]);

    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(RowStart[row], RowStart[row + 1] - RowStart[row]);

    public int RowLength(int row) => RowStart[row + 1] - RowStart[row];

    /// <summary>Builds from coordinate triples; duplicates (same row and column) are summed.</summary>
    public static CsrMatrix FromCoordinates(int rows, int columns, ReadOnlySpan<int> row, ReadOnlySpan<int> column, ReadOnlySpan<float> value)
    {
        var n = row.Length;
        var counts = new int[rows + 1];
        for (var k = 0; k < n; k++)
        {
            counts[row[k] + 1]++;
        }

        for (var r = 0; r < rows; r++)
        {
            counts[r + 1] += counts[r];
        }

        var cols = new int[n];
        var vals = new float[n];
        var next = (int[])counts.Clone();
        for (var k = 0; k < n; k++)
        {
            var p = next[row[k]]++;
            cols[p] = column[k];
            vals[p] = value[k];
        }

        // Sort each row by column and merge duplicates in place.
        var outStart = new int[rows + 1];
        var w = 0;
        for (var r = 0; r < rows; r++)
        {
            var s = counts[r];
            var e = counts[r + 1];
            Array.Sort(cols, vals, s, e - s);
            outStart[r] = w;
            for (var k = s; k < e; k++)
            {
                if (w > outStart[r] && cols[w - 1] == cols[k])
                {
                    vals[w - 1] += vals[k];
                }
                else
                {
                    cols[w] = cols[k];
                    vals[w] = vals[k];
                    w++;
                }
            }
        }

        outStart[rows] = w;
        if (w != n)
        {
            Array.Resize(ref cols, w);
            Array.Resize(ref vals, w);
        }

        return new CsrMatrix(rows, columns, outStart, cols, vals);
    }

    public CsrMatrix Transpose()
    {
        var counts = new int[Columns + 1];
        foreach (var c in ColumnIndex)
        {
            counts[c + 1]++;
        }

        for (var c = 0; c < Columns; c++)
        {
            counts[c + 1] += counts[c];
        }

        var next = (int[])counts.Clone();
        var cols = new int[NonZeros];
        var vals = new float[NonZeros];
        for (var r = 0; r < Rows; r++)
        {
            for (var k = RowStart[r]; k < RowStart[r + 1]; k++)
            {
                var p = next[ColumnIndex[k]]++;
                cols[p] = r;
                vals[p] = Values[k];
            }
        }

        // Rows are visited in ascending order, so every transposed row is already sorted.
        return new CsrMatrix(Columns, Rows, counts, cols, vals);
    }
}

/// <summary>Rows are users, columns are items.</summary>
public sealed class UserItemMatrix(CsrMatrix csr)
{
    private ItemUserMatrix? _transpose;

    public CsrMatrix Csr { get; } = csr;

    public int Users => Csr.Rows;

    public int Items => Csr.Columns;

    public int NonZeros => Csr.NonZeros;

    public ReadOnlySpan<int> ItemsOf(int user) => Csr.RowColumns(user);

    public ReadOnlySpan<float> WeightsOf(int user) => Csr.RowValues(user);

    /// <summary>The item-major copy, built once on first use.</summary>
    public ItemUserMatrix Transpose() => _transpose ??= new ItemUserMatrix(Csr.Transpose());
}

/// <summary>Rows are items, columns are users.</summary>
public sealed class ItemUserMatrix(CsrMatrix csr)
{
    public CsrMatrix Csr { get; } = csr;

    public int Items => Csr.Rows;

    public int Users => Csr.Columns;

    public int NonZeros => Csr.NonZeros;

    public ReadOnlySpan<int> UsersOf(int item) => Csr.RowColumns(item);

    public ReadOnlySpan<float> WeightsOf(int item) => Csr.RowValues(item);
}
