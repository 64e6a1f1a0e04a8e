using System.Globalization;

namespace Attune.Algorithms.Factorization;

/// <summary>Hyper-parameters of implicit-feedback ALS. Every property can be set as "als:name=value".</summary>
public sealed record AlsOptions
{
    /// <summary>Latent dimensions.</summary>
    public int Factors { get; init; } = 64;

    /// <summary>L2 penalty added to the diagonal of each least-squares system.</summary>
    public float Regularization { get; init; } = 0.05f;

    /// <summary>
    /// Exponent nu of the frequency-scaled penalty of Rendle et al. 2021 (iALS revisited): each row's penalty is
    /// Regularization * (n + Alpha * w)^nu, n the other side's size and w the row's total weight, i.e. the
    /// row's total confidence. 0 keeps the plain penalty Regularization on every row; 1 is Rendle et al.'s
    /// recommended setting (then Regularization is small, e.g. 0.001).
    /// </summary>
    public float RegularizationExponent { get; init; }

    /// <summary>Confidence of an observed interaction is 1 + Alpha * weight.</summary>
    public float Alpha { get; init; } = 2f;

    /// <summary>Alternating sweeps (users then items).</summary>
    public int Iterations { get; init; } = 15;

    /// <summary>Conjugate-gradient steps per user or item per sweep, warm-started from the previous factors.</summary>
    public int CgSteps { get; init; } = 3;

    /// <summary>Scale of the uniform random initialization.</summary>
    public float InitScale { get; init; } = 0.01f;

    public int Seed { get; init; } = 42;

    /// <summary>Worker threads; 0 means all cores.</summary>
    public int Threads { get; init; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"factors={Factors},regularization={Regularization},regularization-exponent={RegularizationExponent},alpha={Alpha},iterations={Iterations},cg-steps={CgSteps},init-scale={InitScale},seed={Seed},threads={Threads}");

    internal void Validate()
    {
        Check(Factors > 0, "factors", Factors, "must be positive");
        Check(Regularization >= 0 && float.IsFinite(Regularization), "regularization", Regularization, "must be finite and not negative");
        Check(RegularizationExponent >= 0 && RegularizationExponent <= 2, "regularizationExponent", RegularizationExponent, "must lie in [0, 2]");
        Check(Alpha >= 0 && float.IsFinite(Alpha), "alpha", Alpha, "must be finite and not negative");
        Check(Iterations >= 0, "iterations", Iterations, "must not be negative");
        Check(CgSteps > 0, "cg-steps", CgSteps, "must be positive");
        Check(InitScale > 0 && float.IsFinite(InitScale), "init-scale", InitScale, "must be positive");
    }

    private static void Check(bool ok, string name, object value, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"ALS option {name}={value} {rule}.", name);
        }
    }
}
