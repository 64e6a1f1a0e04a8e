namespace Attune.Algorithms.Prediction;

/// <summary>
/// Per-feature z-scoring fitted on training rows only and then applied unchanged to any other rows, so
/// test statistics never leak into training. A constant feature keeps scale 1 (it maps to 0).
/// </summary>
public sealed class Standardizer
{
    private readonly float[] _means;
    private readonly float[] _scales;

    private Standardizer(float[] means, float[] scales, IReadOnlyList<string> names)
    {
        _means = means;
        _scales = scales;
        FeatureNames = names;
    }

    public IReadOnlyList<float> Means => _means;

    /// <summary>The (population) standard deviation of each feature, 1 where it is zero.</summary>
    public IReadOnlyList<float> Scales => _scales;

    public IReadOnlyList<string> FeatureNames { get; }

    internal static Standardizer Create(float[] means, float[] scales, IReadOnlyList<string> names) => new(means, scales, names);

    public static Standardizer Fit(FeatureTable train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var d = train.ColumnCount;
        var sum = new double[d];
        var sumSq = new double[d];
        var totalWeight = 0.0;
        for (var r = 0; r < train.RowCount; r++)
        {
            var w = train.Weight(r);
            totalWeight += w;
            var row = train.Row(r);
            for (var c = 0; c < d; c++)
            {
                sum[c] += w * row[c];
            }
        }

        if (totalWeight <= 0)
        {
            throw new ArgumentException("Cannot standardize: the training rows have no weight.", nameof(train));
        }

        var means = new float[d];
        for (var c = 0; c < d; c++)
        {
            means[c] = (float)(sum[c] / totalWeight);
        }

        // Second pass around the mean: the one-pass formula loses everything to cancellation on large counts.
        for (var r = 0; r < train.RowCount; r++)
        {
            var w = train.Weight(r);
            var row = train.Row(r);
            for (var c = 0; c < d; c++)
            {
                var dev = row[c] - (double)means[c];
                sumSq[c] += w * dev * dev;
            }
        }

        var scales = new float[d];
        for (var c = 0; c < d; c++)
        {
            var sd = Math.Sqrt(sumSq[c] / totalWeight);
            scales[c] = sd > 1e-12 ? (float)sd : 1f;
        }

        return new Standardizer(means, scales, train.FeatureNames);
    }

    /// <summary>Standardizes one row into <paramref name="destination"/>.</summary>
    public void TransformRow(ReadOnlySpan<float> row, Span<float> destination)
    {
        for (var c = 0; c < _means.Length; c++)
        {
            destination[c] = (row[c] - _means[c]) / _scales[c];
        }
    }

    public FeatureTable Transform(FeatureTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!table.FeatureNames.SequenceEqual(FeatureNames))
        {
            throw new ArgumentException("The table's features differ from those the standardizer was fitted on.", nameof(table));
        }

        var d = table.ColumnCount;
        var values = new float[table.Values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var c = i % d;
            values[i] = (table.Values[i] - _means[c]) / _scales[c];
        }

        return new FeatureTable(values, table.FeatureNames, table.Weights);
    }
}
