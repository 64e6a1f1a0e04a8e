using System.Globalization;

namespace Attune.Algorithms.Prediction;

/// <summary>Hyper-parameters of <see cref="RandomForest"/>.</summary>
/// <param name="Trees">Trees in the forest.</param>
/// <param name="MaxDepth">Deepest a leaf may be.</param>
/// <param name="MaxLeaves">Leaves per tree at most.</param>
/// <param name="MinSamplesLeaf">Fewest distinct bootstrap rows in a leaf.</param>
/// <param name="FeatureFraction">Share of features drawn for each split; null means √d / d, the usual choice for classification.</param>
/// <param name="Bootstrap">Draw n rows with replacement per tree (false: every tree sees every row once).</param>
/// <param name="MaxBins">Quantile bins per feature (2..255).</param>
/// <param name="Seed">Seeds every tree's bootstrap and feature draws (tree t uses a generator derived from Seed and t).</param>
public sealed record RandomForestOptions(
    int Trees = 200,
    int MaxDepth = 12,
    int MaxLeaves = 1024,
    int MinSamplesLeaf = 5,
    double? FeatureFraction = null,
    bool Bootstrap = true,
    int MaxBins = 255,
    int Seed = 42)
{
    public void Validate()
    {
        GradientBoostedTreesOptions.Require(Trees >= 1, nameof(Trees), Trees, "must be >= 1");
        GradientBoostedTreesOptions.Require(MaxDepth >= 1, nameof(MaxDepth), MaxDepth, "must be >= 1");
        GradientBoostedTreesOptions.Require(MaxLeaves >= 2, nameof(MaxLeaves), MaxLeaves, "must be >= 2");
        GradientBoostedTreesOptions.Require(MinSamplesLeaf >= 1, nameof(MinSamplesLeaf), MinSamplesLeaf, "must be >= 1");
        GradientBoostedTreesOptions.Require(FeatureFraction is null or (> 0 and <= 1), nameof(FeatureFraction), FeatureFraction ?? 0, "must be in (0, 1]");
        GradientBoostedTreesOptions.Require(MaxBins is >= 2 and <= FeatureBinner.MaxBinsLimit, nameof(MaxBins), MaxBins, "must be in 2..255");
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"RandomForest(Trees={Trees}, MaxDepth={MaxDepth}, MaxLeaves={MaxLeaves}, MinSamplesLeaf={MinSamplesLeaf}, " +
        $"FeatureFraction={(FeatureFraction is null ? "sqrt" : FeatureFraction.Value.ToString(CultureInfo.InvariantCulture))}, " +
        $"Bootstrap={Bootstrap}, MaxBins={MaxBins}, Seed={Seed})");
}

/// <summary>A random forest of probability trees on the histogram tree learner.</summary>
/// <remarks>
/// Breiman, "Random Forests", Machine Learning 45, 2001: every tree sees a bootstrap sample of the rows and a
/// random subset of the features at each split; the forest averages the trees' leaf class frequencies.
/// Each tree is grown by <see cref="HistogramTreeLearner"/> with g = −v·c·y, h = v·c (v the row weight, c its
/// bootstrap count) and λ = 0, so splits maximize the weighted variance (two-class Gini) reduction and leaves
/// hold the weighted positive rate. Trees are grown in parallel, each from its own generator seeded by
/// (Seed, tree index), so the forest does not depend on thread scheduling. Cost: O(T·n·d·depth) at worst.
/// </remarks>
public static class RandomForest
{
    public static RandomForestModel Train(FeatureTable train, ReadOnlySpan<float> labels, RandomForestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new RandomForestOptions();
        options.Validate();
        train.ValidateLabels(labels, nameof(labels));

        var n = train.RowCount;
        var d = train.ColumnCount;
        var binner = FeatureBinner.Fit(train, options.MaxBins);
        var binned = binner.Transform(train);
        var fraction = options.FeatureFraction ?? Math.Max(1.0, Math.Round(Math.Sqrt(d))) / d;
        var growth = new TreeGrowthOptions(options.MaxDepth, options.MaxLeaves, options.MinSamplesLeaf, 1e-9, 0, 0, fraction);
        var y = labels.ToArray();
        var anyWeight = false;
        for (var r = 0; r < n && !anyWeight; r++)
        {
            anyWeight = train.Weight(r) > 0;
        }

        if (!anyWeight)
        {
            throw new ArgumentException("The training rows have no weight.", nameof(train));
        }

        var trees = new DecisionTree[options.Trees];
        var workers = Math.Min(Environment.ProcessorCount, options.Trees);
        var next = -1;
        Parallel.For(0, workers, _ =>
        {
            var learner = new HistogramTreeLearner(binned, binner, growth, parallel: false);
            var gradients = new float[n];
            var hessians = new float[n];
            var counts = new int[n];
            var rows = new int[n];
            int t;
            while ((t = Interlocked.Increment(ref next)) < options.Trees)
            {
                var rng = new Random(unchecked((options.Seed * 1_000_003) + t));
                Array.Clear(counts);
                if (options.Bootstrap)
                {
                    for (var i = 0; i < n; i++)
                    {
                        counts[rng.Next(n)]++;
                    }
                }
                else
                {
                    Array.Fill(counts, 1);
                }

                var count = 0;
                for (var r = 0; r < n; r++)
                {
                    var w = counts[r] * train.Weight(r);
                    if (w <= 0)
                    {
                        continue;
                    }

                    gradients[r] = -w * y[r];
                    hessians[r] = w;
                    rows[count++] = r;
                }

                // A draw of only zero-weight rows (count 0) gives a single leaf of value 0, which is harmless.
                trees[t] = learner.Grow(gradients, hessians, rows, count, 1.0, rng).Tree;
            }
        });

        return new RandomForestModel(train.FeatureNames, trees, options);
    }
}

/// <summary>A trained forest: P(y = 1) is the mean of the trees' leaf positive rates.</summary>
public sealed class RandomForestModel : IBinaryClassifier
{
    private readonly DecisionTree[] _trees;

    internal RandomForestModel(IReadOnlyList<string> featureNames, DecisionTree[] trees, RandomForestOptions options)
    {
        FeatureNames = featureNames;
        _trees = trees;
        Options = options;
    }

    public IReadOnlyList<string> FeatureNames { get; }

    public IReadOnlyList<DecisionTree> Trees => _trees;

    public RandomForestOptions Options { get; }

    public double PredictProbability(ReadOnlySpan<float> row)
    {
        if (row.Length != FeatureNames.Count)
        {
            throw new ArgumentException($"Row has {row.Length} features; the model expects {FeatureNames.Count}.", nameof(row));
        }

        var sum = 0.0;
        foreach (var t in _trees)
        {
            sum += t.Predict(row);
        }

        return Math.Clamp(sum / _trees.Length, 0, 1);
    }

    /// <summary>Total impurity decrease per feature over all trees (mean decrease in impurity), normalized to sum 1.</summary>
    public IReadOnlyList<FeatureImportance> FeatureImportances()
    {
        var totals = new double[FeatureNames.Count];
        foreach (var t in _trees)
        {
            t.AccumulateGain(totals);
        }

        return BinaryClassifierExtensions.Normalize(FeatureNames, totals);
    }
}
