namespace Attune.Algorithms.Prediction;

/// <summary>A trained, immutable model that gives the probability of the positive class for a feature row.</summary>
public interface IBinaryClassifier
{
    IReadOnlyList<string> FeatureNames { get; }

    /// <summary>P(y = 1 | row); the row holds raw (unstandardized) features in <see cref="FeatureNames"/> order.</summary>
    double PredictProbability(ReadOnlySpan<float> row);

    /// <summary>How much each feature matters, largest first; the importances sum to 1 unless all are 0.</summary>
    IReadOnlyList<FeatureImportance> FeatureImportances();
}

public readonly record struct FeatureImportance(string Feature, double Importance);

public static class BinaryClassifierExtensions
{
    /// <summary>Scores every row of a table (columns must match the model's features).</summary>
    public static double[] PredictProbabilities(this IBinaryClassifier model, FeatureTable table)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(table);
        if (!table.FeatureNames.SequenceEqual(model.FeatureNames))
        {
            throw new ArgumentException("The table's features differ from those the model was trained on.", nameof(table));
        }

        var result = new double[table.RowCount];
        for (var r = 0; r < result.Length; r++)
        {
            result[r] = model.PredictProbability(table.Row(r));
        }

        return result;
    }

    internal static IReadOnlyList<FeatureImportance> Normalize(IReadOnlyList<string> names, ReadOnlySpan<double> raw)
    {
        var total = 0.0;
        foreach (var v in raw)
        {
            total += v;
        }

        var list = new FeatureImportance[names.Count];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = new FeatureImportance(names[i], total > 0 ? raw[i] / total : 0);
        }

        // Stable order for equal importances keeps reports reproducible.
        return list.Select((f, i) => (f, i)).OrderByDescending(t => t.f.Importance).ThenBy(t => t.i).Select(t => t.f).ToArray();
    }
}
