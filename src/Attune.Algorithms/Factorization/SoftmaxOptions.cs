using System.Globalization;

namespace Attune.Algorithms.Factorization;

/// <summary>How negatives are drawn for the sampled softmax.</summary>
public enum NegativeSampler
{
    /// <summary>Every item equally likely.</summary>
    Uniform,

    /// <summary>Zipfian over the popularity rank, P(rank r) = log((r + 2) / (r + 1)) / log(n + 1), as in word2vec-style candidate sampling.</summary>
    LogUniform,
}

/// <summary>Per-parameter adaptive step rule.</summary>
public enum SoftmaxOptimizer
{
    /// <summary>Duchi, Hazan, Singer 2011.</summary>
    Adagrad,

    /// <summary>Kingma and Ba 2015, updating only the rows a step touched ("lazy" Adam).</summary>
    Adam,
}

/// <summary>Hyper-parameters of the sampled-softmax candidate model. Every property can be set as "softmax:name=value".</summary>
public sealed record SoftmaxOptions
{
    public int Factors { get; init; } = 64;

    public int Epochs { get; init; } = 20;

    public float LearningRate { get; init; } = 0.05f;

    /// <summary>Negatives drawn per step, shared by the step's positives.</summary>
    public int Negatives { get; init; } = 64;

    /// <summary>Positives of one user per step.</summary>
    public int PositivesPerStep { get; init; } = 16;

    public NegativeSampler Sampler { get; init; } = NegativeSampler.LogUniform;

    public SoftmaxOptimizer Optimizer { get; init; } = SoftmaxOptimizer.Adagrad;

    /// <summary>L2 penalty on the rows a step touches.</summary>
    public float Regularization { get; init; } = 1e-4f;

    public float InitScale { get; init; } = 0.1f;

    public int Seed { get; init; } = 42;

    /// <summary>SGD threads (lock-free); only threads=1 reproduces a model bit for bit from its seed. 0 means all cores.</summary>
    public int Threads { get; init; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"factors={Factors},epochs={Epochs},learning-rate={LearningRate},negatives={Negatives},positives-per-step={PositivesPerStep},sampler={Sampler},optimizer={Optimizer},regularization={Regularization},init-scale={InitScale},seed={Seed},threads={Threads}");

    internal void Validate()
    {
        Check(Factors > 0, "factors", Factors, "must be positive");
        Check(Epochs >= 0, "epochs", Epochs, "must not be negative");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), "learning-rate", LearningRate, "must be positive and finite");
        Check(Negatives > 0, "negatives", Negatives, "must be positive");
        Check(PositivesPerStep > 0, "positives-per-step", PositivesPerStep, "must be positive");
        Check(Regularization >= 0 && float.IsFinite(Regularization), "regularization", Regularization, "must be finite and not negative");
        Check(InitScale > 0 && float.IsFinite(InitScale), "init-scale", InitScale, "must be positive");
    }

    private static void Check(bool ok, string name, object value, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"Softmax option {name}={value} {rule}.", name);
        }
    }
}
