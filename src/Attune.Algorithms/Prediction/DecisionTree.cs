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

    internal void Write(BinaryWriter w)
    {
        w.Write(_feature.Length);
        for (var i = 0; i < _feature.Length; i++)
        {
            w.Write(_feature[i]);
            w.Write(_bin[i]);
            w.Write(_threshold[i]);
            w.Write(_left[i]);
            w.Write(_right[i]);
            w.Write(_value[i]);
            w.Write(_gain[i]);
        }
    }

    internal static DecisionTree Read(BinaryReader r, int featureCount)
    {
        var n = r.ReadInt32();
        if (n < 1 || n > 1 << 24)
        {
            throw new InvalidDataException($"A tree has {n} nodes.");
        }

        var feature = new int[n];
        var bin = new byte[n];
        var threshold = new float[n];
        var left = new int[n];
        var right = new int[n];
        var value = new double[n];
        var gain = new double[n];
        for (var i = 0; i < n; i++)
        {
            feature[i] = r.ReadInt32();
            bin[i] = r.ReadByte();
            threshold[i] = r.ReadSingle();
            left[i] = r.ReadInt32();
            right[i] = r.ReadInt32();
            value[i] = r.ReadDouble();
            gain[i] = r.ReadDouble();
            // Children always come after their parent, so a valid file cannot loop or point outside the tree.
            if (feature[i] >= featureCount || (feature[i] >= 0 && (left[i] <= i || right[i] <= i || left[i] >= n || right[i] >= n)))
            {
                throw new InvalidDataException($"Tree node {i} is malformed.");
            }
        }

        return new DecisionTree(feature, bin, threshold, left, right, value, gain);
    }

    private int DepthOf(int node) =>
        _feature[node] < 0 ? 0 : 1 + Math.Max(DepthOf(_left[node]), DepthOf(_right[node]));
}
