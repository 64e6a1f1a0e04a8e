namespace Attune.Algorithms.Prediction;

/// <summary>How one tree grows; shared by boosting and forests.</summary>
internal sealed record TreeGrowthOptions(
    int MaxDepth, int MaxLeaves, int MinSamplesLeaf, double MinHessianLeaf, double L2, double MinSplitGain, double FeatureFraction);

/// <summary>A leaf's rows: <c>Rows[Start .. Start + Count)</c> of the row array passed to the learner.</summary>
internal readonly record struct LeafSegment(int Start, int Count, double Value);

/// <summary>
/// Grows one regression tree on gradient/hessian statistics over binned features, best-first (leaf-wise)
/// under a depth and a leaf-count limit.
/// </summary>
/// <remarks>
/// Second-order split gain and Newton leaf values of XGBoost (Chen and Guestrin, KDD 2016):
/// gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), leaf value = −G/(H+λ) (the constant ½ is dropped, which
/// scales gains uniformly). Histograms per node (sum of g, sum of h, row count per bin) replace sorting; the
/// histogram subtraction trick of LightGBM (Ke et al., NeurIPS 2017) builds only the smaller child's
/// histogram and gets the larger one as parent − smaller, so a tree costs O(n·d) per level for the smaller
/// halves plus O(bins·d) per node. Growing the leaf with the largest gain first (LightGBM) becomes depth-wise
/// growth when MaxLeaves ≥ 2^MaxDepth. With g = −y, h = 1 and λ = 0 the gain is the variance (Gini)
/// reduction and leaves hold the mean label, which is what a random forest needs. Deterministic: ties go to
/// the lowest feature and bin; the only randomness is the feature subsample drawn from the caller's RNG.
/// </remarks>
internal sealed class HistogramTreeLearner
{
    private readonly BinnedTable _data;
    private readonly FeatureBinner _binner;
    private readonly TreeGrowthOptions _options;
    private readonly bool _parallel;
    private readonly int _totalBins;
    private readonly Stack<Histogram> _pool = new();
    private readonly int[] _scratch;
    private readonly int[] _featureOrder;
    private readonly float[] _orderedG;
    private readonly float[] _orderedH;

    public HistogramTreeLearner(BinnedTable data, FeatureBinner binner, TreeGrowthOptions options, bool parallel)
    {
        _data = data;
        _binner = binner;
        _options = options;
        _parallel = parallel;
        _totalBins = data.HistogramOffsets[^1];
        _scratch = new int[data.RowCount];
        _orderedG = new float[data.RowCount];
        _orderedH = new float[data.RowCount];
        _featureOrder = new int[data.FeatureCount];
    }

    /// <summary>
    /// Grows a tree on rows[0..count) (reordered in place so each leaf's rows are contiguous) and returns it
    /// with its leaves; leaf values are multiplied by <paramref name="shrinkage"/>.
    /// </summary>
    public (DecisionTree Tree, List<LeafSegment> Leaves) Grow(
        float[] gradients, float[] hessians, int[] rows, int count, double shrinkage, Random rng)
    {
        var nodes = new NodeBuilder();
        var leaves = new List<LeafSegment>();
        var candidates = new List<Candidate>();

        var rootHist = Rent();
        Build(rootHist, gradients, hessians, rows, 0, count);
        var (rootG, rootH) = Totals(rootHist);
        var root = nodes.Add();
        Consider(new Candidate(root, 0, count, 0, rootG, rootH, rootHist), candidates, leaves, nodes, shrinkage, rng);

        var leafCount = 1;
        while (leafCount < _options.MaxLeaves && candidates.Count > 0)
        {
            var pick = 0;
            for (var i = 1; i < candidates.Count; i++)
            {
                if (candidates[i].Best.Gain > candidates[pick].Best.Gain)
                {
                    pick = i;
                }
            }

            var c = candidates[pick];
            candidates.RemoveAt(pick);
            var split = c.Best;
            var leftCount = Partition(rows, c.Start, c.Count, split.Feature, split.Bin);
            var rightCount = c.Count - leftCount;

            var left = nodes.Add();
            var right = nodes.Add();
            var threshold = UpperBoundOf(split.Feature, split.Bin);
            nodes.SetSplit(c.Node, split.Feature, (byte)split.Bin, threshold, left, right, split.Gain);
            leafCount++;

            var smallIsLeft = leftCount <= rightCount;
            var small = Rent();
            if (smallIsLeft)
            {
                Build(small, gradients, hessians, rows, c.Start, leftCount);
            }
            else
            {
                Build(small, gradients, hessians, rows, c.Start + leftCount, rightCount);
            }

            c.Hist.SubtractInPlace(small);
            var leftHist = smallIsLeft ? small : c.Hist;
            var rightHist = smallIsLeft ? c.Hist : small;
            var rightG = c.SumG - split.LeftG;
            var rightH = c.SumH - split.LeftH;
            Consider(new Candidate(left, c.Start, leftCount, c.Depth + 1, split.LeftG, split.LeftH, leftHist), candidates, leaves, nodes, shrinkage, rng);
            Consider(new Candidate(right, c.Start + leftCount, rightCount, c.Depth + 1, rightG, rightH, rightHist), candidates, leaves, nodes, shrinkage, rng);
        }

        foreach (var c in candidates)
        {
            MakeLeaf(c, leaves, nodes, shrinkage);
        }

        return (nodes.ToTree(), leaves);
    }

    private void Consider(Candidate c, List<Candidate> candidates, List<LeafSegment> leaves, NodeBuilder nodes, double shrinkage, Random rng)
    {
        if (c.Depth < _options.MaxDepth && c.Count >= 2 * _options.MinSamplesLeaf)
        {
            c.Best = FindBestSplit(c.Hist, c.SumG, c.SumH, c.Count, rng);
            if (c.Best.Feature >= 0)
            {
                candidates.Add(c);
                return;
            }
        }

        MakeLeaf(c, leaves, nodes, shrinkage);
    }

    private void MakeLeaf(Candidate c, List<LeafSegment> leaves, NodeBuilder nodes, double shrinkage)
    {
        var denominator = c.SumH + _options.L2;
        var value = denominator > 0 ? -c.SumG / denominator * shrinkage : 0;
        nodes.SetLeaf(c.Node, value);
        leaves.Add(new LeafSegment(c.Start, c.Count, value));
        _pool.Push(c.Hist);
    }

    private Split FindBestSplit(Histogram hist, double sumG, double sumH, int count, Random rng)
    {
        var d = _data.FeatureCount;
        var considered = d;
        for (var f = 0; f < d; f++)
        {
            _featureOrder[f] = f;
        }

        if (_options.FeatureFraction < 1)
        {
            considered = Math.Max(1, (int)Math.Round(_options.FeatureFraction * d));
            for (var i = 0; i < considered; i++)
            {
                var j = rng.Next(i, d);
                (_featureOrder[i], _featureOrder[j]) = (_featureOrder[j], _featureOrder[i]);
            }

            // Scanning in feature order keeps tie-breaking independent of the draw order.
            Array.Sort(_featureOrder, 0, considered);
        }

        var lambda = _options.L2;
        var parentScore = sumG * sumG / (sumH + lambda);
        var best = new Split(-1, 0, _options.MinSplitGain, 0, 0);
        var offsets = _data.HistogramOffsets;
        for (var k = 0; k < considered; k++)
        {
            var f = _featureOrder[k];
            double gl = 0, hl = 0;
            var cl = 0;
            var data = hist.Data;
            var end = offsets[f + 1] - 1; // splitting after the last bin leaves the right side empty
            for (var b = offsets[f]; b < end; b++)
            {
                gl += data[3 * b];
                hl += data[(3 * b) + 1];
                cl += (int)data[(3 * b) + 2];
                if (cl < _options.MinSamplesLeaf || hl < _options.MinHessianLeaf)
                {
                    continue;
                }

                var cr = count - cl;
                var hr = sumH - hl;
                if (cr < _options.MinSamplesLeaf || hr < _options.MinHessianLeaf)
                {
                    break;
                }

                var gr = sumG - gl;
                var gain = (gl * gl / (hl + lambda)) + (gr * gr / (hr + lambda)) - parentScore;
                if (gain > best.Gain)
                {
                    best = new Split(f, b - offsets[f], gain, gl, hl);
                }
            }
        }

        return best.Feature >= 0 && best.Gain > 1e-12 ? best : new Split(-1, 0, 0, 0, 0);
    }

    private int Partition(int[] rows, int start, int count, int feature, int bin)
    {
        var column = _data.Column(feature);
        var write = start;
        var spill = 0;
        for (var k = start; k < start + count; k++)
        {
            var r = rows[k];
            if (column[r] <= bin)
            {
                rows[write++] = r;
            }
            else
            {
                _scratch[spill++] = r;
            }
        }

        Array.Copy(_scratch, 0, rows, write, spill);
        return write - start;
    }

    private void Build(Histogram hist, float[] g, float[] h, int[] rows, int start, int count)
    {
        // Gathering the node's gradients once makes every feature's pass read them sequentially (LightGBM's
        // "ordered gradients"); only the bin column is then accessed at random.
        for (var k = 0; k < count; k++)
        {
            var r = rows[start + k];
            _orderedG[k] = g[r];
            _orderedH[k] = h[r];
        }

        var d = _data.FeatureCount;
        if (_parallel && (long)count * d >= 200_000)
        {
            Parallel.For(0, d, f => BuildFeature(hist, rows, start, count, f));
        }
        else
        {
            for (var f = 0; f < d; f++)
            {
                BuildFeature(hist, rows, start, count, f);
            }
        }
    }

    private void BuildFeature(Histogram hist, int[] rows, int start, int count, int f)
    {
        var offset = _data.HistogramOffsets[f];
        var length = _data.HistogramOffsets[f + 1] - offset;
        var bins = hist.Data.AsSpan(offset * 3, length * 3);
        bins.Clear();
        var column = _data.Column(f);
        var segment = rows.AsSpan(start, count);
        var og = _orderedG.AsSpan(0, count);
        var oh = _orderedH.AsSpan(0, count);
        for (var k = 0; k < segment.Length; k++)
        {
            var b = column[segment[k]] * 3;
            bins[b] += og[k];
            bins[b + 1] += oh[k];
            bins[b + 2] += 1;
        }
    }

    private (double G, double H) Totals(Histogram hist)
    {
        // Every row lands in exactly one bin of feature 0, so its bins sum to the node totals.
        double g = 0, hs = 0;
        for (var b = 0; b < _data.HistogramOffsets[1]; b++)
        {
            g += hist.Data[3 * b];
            hs += hist.Data[(3 * b) + 1];
        }

        return (g, hs);
    }

    private float UpperBoundOf(int feature, int bin) => _binner.UpperBound(feature, bin);

    private Histogram Rent() => _pool.Count > 0 ? _pool.Pop() : new Histogram(_totalBins);

    /// <summary>Per bin (Σg, Σh, count) side by side, so one update touches one cache line.</summary>
    private sealed class Histogram(int bins)
    {
        public double[] Data { get; } = new double[bins * 3];

        public void SubtractInPlace(Histogram other)
        {
            var a = Data.AsSpan();
            var b = other.Data.AsSpan();
            for (var i = 0; i < a.Length; i++)
            {
                a[i] -= b[i];
            }
        }
    }

    private readonly record struct Split(int Feature, int Bin, double Gain, double LeftG, double LeftH);

    private sealed class Candidate(int node, int start, int count, int depth, double sumG, double sumH, Histogram hist)
    {
        public int Node { get; } = node;

        public int Start { get; } = start;

        public int Count { get; } = count;

        public int Depth { get; } = depth;

        public double SumG { get; } = sumG;

        public double SumH { get; } = sumH;

        public Histogram Hist { get; } = hist;

        public Split Best { get; set; }
    }

    private sealed class NodeBuilder
    {
        private readonly List<int> _feature = [];
        private readonly List<byte> _bin = [];
        private readonly List<float> _threshold = [];
        private readonly List<int> _left = [];
        private readonly List<int> _right = [];
        private readonly List<double> _value = [];
        private readonly List<double> _gain = [];

        public int Add()
        {
            _feature.Add(-1);
            _bin.Add(0);
            _threshold.Add(0);
            _left.Add(-1);
            _right.Add(-1);
            _value.Add(0);
            _gain.Add(0);
            return _feature.Count - 1;
        }

        public void SetSplit(int node, int feature, byte bin, float threshold, int left, int right, double gain)
        {
            _feature[node] = feature;
            _bin[node] = bin;
            _threshold[node] = threshold;
            _left[node] = left;
            _right[node] = right;
            _gain[node] = gain;
        }

        public void SetLeaf(int node, double value) => _value[node] = value;

        public DecisionTree ToTree() =>
            new([.. _feature], [.. _bin], [.. _threshold], [.. _left], [.. _right], [.. _value], [.. _gain]);
    }
}
