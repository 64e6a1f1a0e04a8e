using System.Globalization;

namespace Attune.Algorithms.Factorization;

/// <summary>Hyper-parameters of BPR-MF. Every property can be set as "bpr:name=value".</summary>
/// <remarks>
/// Defaults were tuned on ML-100K (stratified 75/25, seed 42): a step size falling linearly to near zero
/// matters most (NDCG@10 0.41 with a constant 0.05, 0.46 with 0.1 decaying over 300 epochs).
/// </remarks>
public sealed record BprOptions
{
    public int Factors { get; init; } = 64;

    /// <summary>SGD step size.</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Share by which the step size falls, linearly over the epochs (0 keeps it constant, 1 ends near zero).</summary>
    public float LearningRateDecay { get; init; } = 1f;

    /// <summary>L2 penalty on the parameters touched by each step.</summary>
    public float Regularization { get; init; } = 0.02f;

    /// <summary>Passes; each pass draws as many (user, positive, negative) triples as there are interactions.</summary>
    public int Epochs { get; init; } = 300;

    /// <summary>Learn a popularity bias per item.</summary>
    public bool ItemBias { get; init; } = true;

    /// <summary>Redraw a negative that the user actually interacted with.</summary>
    public bool VerifyNegatives { get; init; } = true;

    /// <summary>Scale of the uniform random initialization (divided by the factor count).</summary>
    public float InitScale { get; init; } = 1f;

    public int Seed { get; init; } = 42;

    /// <summary>
    /// SGD threads (lock-free, Hogwild); 0 means all cores. With more than one thread the update order
    /// depends on scheduling, so only threads=1 reproduces a model bit for bit from its seed.
    /// </summary>
    public int Threads { get; init; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"factors={Factors},learning-rate={LearningRate},learning-rate-decay={LearningRateDecay},regularization={Regularization},epochs={Epochs},item-bias={ItemBias},verify-negatives={VerifyNegatives},init-scale={InitScale},seed={Seed},threads={Threads}");

    internal void Validate()
    {
        Check(Factors > 0, "factors", Factors, "must be positive");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), "learning-rate", LearningRate, "must be positive and finite");
        Check(LearningRateDecay is >= 0 and <= 1, "learning-rate-decay", LearningRateDecay, "must be in [0, 1]");
        Check(Regularization >= 0 && float.IsFinite(Regularization), "regularization", Regularization, "must be finite and not negative");
        Check(Epochs >= 0, "epochs", Epochs, "must not be negative");
        Check(InitScale > 0 && float.IsFinite(InitScale), "init-scale", InitScale, "must be positive");
    }

    private static void Check(bool ok, string name, object value, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"BPR option {name}={value} {rule}.", name);
        }
    }
}
