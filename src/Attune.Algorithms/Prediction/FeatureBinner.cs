namespace Attune.Algorithms.Prediction;

/// <summary>
/// Maps every feature to at most 255 quantile bins, once, so tree learners work on bytes and histograms
/// instead of sorting floats at every node.
/// </summary>
/// <remarks>
/// The histogram approach of LightGBM (Ke et al., "LightGBM: A Highly Efficient Gradient Boosting Decision
/// Tree", NeurIPS 2017) and XGBoost's <c>hist</c> method. Bin edges come from the sorted values of at most
/// <see cref="SampleRows"/> evenly strided training rows: a feature with few distinct values gets one bin
/// per value (edge at the midpoint to the next), otherwise edges sit at equally spaced quantiles. A value v
/// falls in the first bin b with v ≤ upper[b], so "bin ≤ t" and "v ≤ upper[t]" are the same test, which lets
/// a trained tree score raw rows without binning them. Fitting costs O(d·s log s) for s sampled rows;
/// binning a table costs O(n·d·log bins).
/// </remarks>
public sealed class FeatureBinner
{
    public const int MaxBinsLimit = 255;

    /// <summary>Rows sampled to place the bin edges; quantiles of 200,000 values are as good as of all.</summary>
    public const int SampleRows = 200_000;

    private readonly float[][] _upperBounds;

    private FeatureBinner(float[][] upperBounds) => _upperBounds = upperBounds;

    public int FeatureCount => _upperBounds.Length;

    public int BinCount(int feature) => _upperBounds[feature].Length;

    /// <summary>The largest value in bin <paramref name="bin"/> of <paramref name="feature"/> (+∞ for the last bin).</summary>
    public float UpperBound(int feature, int bin) => _upperBounds[feature][bin];

    public static FeatureBinner Fit(FeatureTable table, int maxBins = MaxBinsLimit)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (maxBins is < 2 or > MaxBinsLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBins), maxBins, $"maxBins must be between 2 and {MaxBinsLimit}.");
        }

        var n = table.RowCount;
        if (n == 0)
        {
            throw new ArgumentException("Cannot bin an empty table.", nameof(table));
        }

        var sampleCount = Math.Min(n, SampleRows);
        var stride = (double)n / sampleCount;
        var column = new float[sampleCount];
        var bounds = new float[table.ColumnCount][];
        var edges = new List<float>(maxBins);
        for (var f = 0; f < table.ColumnCount; f++)
        {
            for (var i = 0; i < sampleCount; i++)
            {
                column[i] = table[(int)(i * stride), f];
            }

            Array.Sort(column);
            edges.Clear();
            var distinct = CountDistinct(column);
            if (distinct <= maxBins)
            {
                for (var i = 0; i + 1 < column.Length; i++)
                {
                    if (column[i + 1] > column[i])
                    {
                        edges.Add(Midpoint(column[i], column[i + 1]));
                    }
                }
            }
            else
            {
                for (var q = 1; q < maxBins; q++)
                {
                    var v = column[(int)((long)q * sampleCount / maxBins)];
                    if (edges.Count == 0 || v > edges[^1])
                    {
                        edges.Add(v);
                    }
                }
            }

            edges.Add(float.PositiveInfinity);
            bounds[f] = edges.ToArray();
        }

        return new FeatureBinner(bounds);
    }

    /// <summary>Bins a table with these edges (any table with the same features: training or validation).</summary>
    public BinnedTable Transform(FeatureTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.ColumnCount != FeatureCount)
        {
            throw new ArgumentException($"The table has {table.ColumnCount} features; the binner was fitted on {FeatureCount}.", nameof(table));
        }

        var n = table.RowCount;
        var bins = new byte[n * FeatureCount];
        var offsets = new int[FeatureCount + 1];
        for (var f = 0; f < FeatureCount; f++)
        {
            offsets[f + 1] = offsets[f] + _upperBounds[f].Length;
            var upper = _upperBounds[f];
            var column = bins.AsSpan(f * n, n);
            for (var r = 0; r < n; r++)
            {
                column[r] = (byte)BinOf(upper, table[r, f]);
            }
        }

        return new BinnedTable(bins, n, offsets);
    }

    private static int BinOf(float[] upper, float v)
    {
        int lo = 0, hi = upper.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (v <= upper[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private static int CountDistinct(float[] sorted)
    {
        var count = sorted.Length == 0 ? 0 : 1;
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] > sorted[i - 1])
            {
                count++;
            }
        }

        return count;
    }

    private static float Midpoint(float a, float b)
    {
        var m = a + ((b - a) / 2);
        // Adjacent floats have no midpoint strictly between them; the lower value is then the edge.
        return m < b ? m : a;
    }
}

/// <summary>A table's bin indices, column-major: feature f, row r at <c>Bins[f * RowCount + r]</c>.</summary>
public sealed class BinnedTable
{
    internal BinnedTable(byte[] bins, int rowCount, int[] histogramOffsets)
    {
        Bins = bins;
        RowCount = rowCount;
        HistogramOffsets = histogramOffsets;
    }

    internal byte[] Bins { get; }

    public int RowCount { get; }

    public int FeatureCount => HistogramOffsets.Length - 1;

    /// <summary>Where each feature's bins start in a flat histogram; the last entry is the total bin count.</summary>
    internal int[] HistogramOffsets { get; }

    public ReadOnlySpan<byte> Column(int feature) => Bins.AsSpan(feature * RowCount, RowCount);
}
