namespace Attune.Algorithms.Prediction;

/// <summary>
/// An immutable binary tree of axis-aligned splits "feature ≤ threshold goes left", with a value per leaf.
/// Nodes live in flat arrays (node 0 is the root; a leaf has feature −1), which keeps scoring cache-friendly.
/// </summary>
public sealed class DecisionTree
{
    private readonly int[] _feature;
    private readonly byte[] _bin;
    private readonly float[] _threshold;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly double[] _value;
    private readonly double[] _gain;

    internal DecisionTree(int[] feature, byte[] bin, float[] threshold, int[] left, int[] right, double[] value, double[] gain)
    {
        _feature = feature;
        _bin = bin;
        _threshold = threshold;
        _left = left;
        _right = right;
        _value = value;
        _gain = gain;
        for (var i = 0; i < feature.Length; i++)
        {
            if (feature[i] < 0)
            {
                LeafCount++;
            }
        }

        Depth = DepthOf(0);
    }

    public int NodeCount => _feature.Length;

    public int LeafCount { get; }

    public int Depth { get; }

    /// <summary>The leaf value reached by a raw feature row.</summary>
    public double Predict(ReadOnlySpan<float> row)
    {
        var i = 0;
        while (_feature[i] >= 0)
        {
            i = row[_feature[i]] <= _threshold[i] ? _left[i] : _right[i];
        }

        return _value[i];
    }

    internal double PredictBinned(BinnedTable table, int row)
    {
        var bins = table.Bins;
        var n = table.RowCount;
        var i = 0;
        while (_feature[i] >= 0)
        {
            i = bins[(_feature[i] * n) + row] <= _bin[i] ? _left[i] : _right[i];
        }

        return _value[i];
    }

    /// <summary>Adds each split's loss reduction to its feature's total (gain importance).</summary>
    internal void AccumulateGain(Span<double> totals)
    {
        for (var i = 0; i < _feature.Length; i++)
        {
            if (_feature[i] >= 0)
            {
                totals[_feature[i]] += _gain[i];
            }
        }
    }

    private int DepthOf(int node) =>
        _feature[node] < 0 ? 0 : 1 + Math.Max(DepthOf(_left[node]), DepthOf(_right[node]));
}
