namespace Attune.Algorithms.Prediction;

/// <summary>
/// A dense, row-major table of <see cref="float"/> features: row <c>r</c>, column <c>c</c> lives at
/// <c>Values[r * ColumnCount + c]</c>. Optional per-row weights (null means every row weighs 1).
/// </summary>
/// <remarks>Row-major because every learner here either scans whole rows (logistic regression, prediction)
/// or bins each column once (trees), so the one transposition a tree learner needs is paid once.</remarks>
public sealed class FeatureTable
{
    public FeatureTable(float[] values, IReadOnlyList<string> featureNames, float[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(featureNames);
        if (featureNames.Count == 0)
        {
            throw new ArgumentException("A feature table needs at least one feature.", nameof(featureNames));
        }

        if (values.Length % featureNames.Count != 0)
        {
            throw new ArgumentException(
                $"values has {values.Length} entries, not a multiple of the {featureNames.Count} feature names.", nameof(values));
        }

        Values = values;
        FeatureNames = featureNames.ToArray();
        ColumnCount = featureNames.Count;
        RowCount = values.Length / ColumnCount;
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"values[{i}] (row {i / ColumnCount}, feature '{FeatureNames[i % ColumnCount]}') is {values[i]}; features must be finite.",
                    nameof(values));
            }
        }

        if (weights is not null)
        {
            if (weights.Length != RowCount)
            {
                throw new ArgumentException($"weights has {weights.Length} entries for {RowCount} rows.", nameof(weights));
            }

            for (var i = 0; i < weights.Length; i++)
            {
                if (!(weights[i] >= 0f) || !float.IsFinite(weights[i]))
                {
                    throw new ArgumentException($"weights[{i}] is {weights[i]}; weights must be finite and >= 0.", nameof(weights));
                }
            }
        }

        Weights = weights;
    }

    public float[] Values { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Per-row weights, or null when all rows weigh 1.</summary>
    public float[]? Weights { get; }

    public int RowCount { get; }

    public int ColumnCount { get; }

    public float this[int row, int column] => Values[(row * ColumnCount) + column];

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * ColumnCount, ColumnCount);

    public float Weight(int row) => Weights is null ? 1f : Weights[row];

    /// <summary>A new table holding the given rows, in that order (weights follow their rows).</summary>
    public FeatureTable SelectRows(ReadOnlySpan<int> rows)
    {
        var values = new float[rows.Length * ColumnCount];
        float[]? weights = Weights is null ? null : new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            Row(rows[i]).CopyTo(values.AsSpan(i * ColumnCount, ColumnCount));
            if (weights is not null)
            {
                weights[i] = Weights![rows[i]];
            }
        }

        return new FeatureTable(values, FeatureNames, weights);
    }

    /// <summary>A new table with only the named features, in the order given.</summary>
    public FeatureTable SelectColumns(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var index = new int[names.Count];
        for (var i = 0; i < index.Length; i++)
        {
            index[i] = -1;
            for (var c = 0; c < ColumnCount; c++)
            {
                if (FeatureNames[c] == names[i])
                {
                    index[i] = c;
                    break;
                }
            }

            if (index[i] < 0)
            {
                throw new ArgumentException($"No feature named '{names[i]}'.", nameof(names));
            }
        }

        var values = new float[RowCount * index.Length];
        for (var r = 0; r < RowCount; r++)
        {
            for (var i = 0; i < index.Length; i++)
            {
                values[(r * index.Length) + i] = Values[(r * ColumnCount) + index[i]];
            }
        }

        return new FeatureTable(values, names, Weights);
    }

    /// <summary>Stacks tables with the same feature names, one under another.</summary>
    public static FeatureTable Concat(IReadOnlyList<FeatureTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count == 0)
        {
            throw new ArgumentException("Nothing to concatenate.", nameof(tables));
        }

        var names = tables[0].FeatureNames;
        var total = 0;
        var anyWeights = false;
        foreach (var t in tables)
        {
            if (!t.FeatureNames.SequenceEqual(names))
            {
                throw new ArgumentException("All tables must have the same feature names in the same order.", nameof(tables));
            }

            total += t.Values.Length;
            anyWeights |= t.Weights is not null;
        }

        var values = new float[total];
        var weights = anyWeights ? new float[total / names.Count] : null;
        int offset = 0, rowOffset = 0;
        foreach (var t in tables)
        {
            t.Values.CopyTo(values, offset);
            offset += t.Values.Length;
            if (weights is not null)
            {
                for (var r = 0; r < t.RowCount; r++)
                {
                    weights[rowOffset + r] = t.Weight(r);
                }
            }

            rowOffset += t.RowCount;
        }

        return new FeatureTable(values, names, weights);
    }

    /// <summary>Checks a 0/1 label vector against this table's row count.</summary>
    public void ValidateLabels(ReadOnlySpan<float> labels, string paramName)
    {
        if (labels.Length != RowCount)
        {
            throw new ArgumentException($"{labels.Length} labels for {RowCount} rows.", paramName);
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] is not (0f or 1f))
            {
                throw new ArgumentException($"labels[{i}] is {labels[i]}; binary labels must be 0 or 1.", paramName);
            }
        }
    }
}
