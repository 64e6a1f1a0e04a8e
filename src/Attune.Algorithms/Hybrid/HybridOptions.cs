using System.Globalization;

namespace Attune.Algorithms.Hybrid;

/// <summary>How each component's scores are put on one scale for a user before they are blended.</summary>
public enum ScoreNormalization
{
    /// <summary>Divide by the largest absolute score: the best item of every component scores 1.</summary>
    Max = 0,

    /// <summary>Subtract the mean and divide by the standard deviation over all items.</summary>
    ZScore = 1,
}

/// <summary>Which interaction per user is held out to tune the blend weights.</summary>
public enum ValidationHoldout
{
    /// <summary>The user's latest interaction (needs the interaction log; falls back to a random one without it).</summary>
    Last = 0,

    /// <summary>A random interaction of the user (seeded).</summary>
    Random = 1,

    /// <summary>
    /// A seeded random share of every user's interactions (<see cref="HybridOptions.HoldoutShare"/>), as a
    /// stratified split does: many held-out items per user make NDCG@K on validation far less noisy.
    /// </summary>
    Share = 2,
}

public sealed record HybridOptions
{
    /// <summary>
    /// The components as algorithm specs separated by ';', e.g. "ease:lambda=500; sequence:window=8,decay=0.85"
    /// (wrap the list in parentheses inside a spec: "hybrid:components=(ease; sequence)").
    /// </summary>
    public string Components { get; init; } = "sequence; item-knn";

    /// <summary>One weight per component separated by ';'; empty tunes them on a validation split.</summary>
    public string Weights { get; init; } = "";

    public ScoreNormalization Normalization { get; init; } = ScoreNormalization.Max;

    public ValidationHoldout Holdout { get; init; } = ValidationHoldout.Last;

    /// <summary>Share of each user's interactions held out when <see cref="Holdout"/> is Share.</summary>
    public double HoldoutShare { get; init; } = 0.25;

    /// <summary>
    /// Holdouts drawn with seeds Seed, Seed + 1, ...: the weights maximize the mean NDCG over them, which lowers
    /// the selection noise of one random holdout at the cost of one more fit of every component per repeat.
    /// Meaningful for the Random and Share holdouts (the Last holdout is the same every time).
    /// </summary>
    public int HoldoutRepeats { get; init; } = 1;

    /// <summary>Coordinate-search rounds over the weight grid.</summary>
    public int TuneRounds { get; init; } = 2;

    /// <summary>The cutoff K of the NDCG@K that tuning maximizes.</summary>
    public int TuneCutoff { get; init; } = 10;

    /// <summary>Validation users used for tuning (a seeded sample); 0 uses all.</summary>
    public int MaxValidationUsers { get; init; } = 5000;

    public int Seed { get; init; } = 42;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"components=({string.Join("; ", ComponentSpecs())}), weights={(Weights.Length == 0 ? "tuned" : Weights)}, normalization={Normalization}, holdout={Holdout}, holdoutShare={HoldoutShare}, holdoutRepeats={HoldoutRepeats}, tuneRounds={TuneRounds}, tuneCutoff={TuneCutoff}, maxValidationUsers={MaxValidationUsers}, seed={Seed}");

    internal string[] ComponentSpecs()
    {
        var text = Components.Trim();
        if (text.StartsWith('(') && text.EndsWith(')'))
        {
            text = text[1..^1];
        }

        var specs = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return specs.Length > 0 ? specs : throw new ArgumentException("Hybrid needs at least one component.", nameof(Components));
    }

    internal double[]? GivenWeights(int count)
    {
        var text = Weights.Trim().Trim('(', ')');
        if (text.Length == 0)
        {
            return null;
        }

        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != count)
        {
            throw new ArgumentException($"Hybrid has {count} components but {parts.Length} weights ('{Weights}').", nameof(Weights));
        }

        var result = new double[count];
        for (var k = 0; k < count; k++)
        {
            if (!double.TryParse(parts[k], NumberStyles.Float, CultureInfo.InvariantCulture, out result[k]) || !double.IsFinite(result[k]))
            {
                throw new ArgumentException($"Hybrid weight {k + 1} ('{parts[k]}') is not a number.", nameof(Weights));
            }
        }

        return result;
    }
}
