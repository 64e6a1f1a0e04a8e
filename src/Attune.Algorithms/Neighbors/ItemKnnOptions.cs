using System.Globalization;

namespace Attune.Algorithms.Neighbors;

public sealed record ItemKnnOptions
{
    /// <summary>Neighbours kept per item (K).</summary>
    public int Neighbors { get; init; } = 100;

    /// <summary>Added to the cosine denominator: pairs with little overlap are pulled towards 0.</summary>
    public float Shrinkage { get; init; }

    public KnnWeighting Weighting { get; init; } = KnnWeighting.None;

    /// <summary>BM25 term saturation.</summary>
    public float K1 { get; init; } = 100f;

    /// <summary>BM25 length normalization (0 none, 1 full).</summary>
    public float B { get; init; } = 0.8f;

    /// <summary>Cosine when true; the raw (weighted) dot product when false.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Worker threads; 0 uses every core.</summary>
    public int Threads { get; init; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"neighbors={Neighbors}, shrinkage={Shrinkage}, weighting={Weighting}, k1={K1}, b={B}, normalize={Normalize}, threads={Threads}");

    internal void Validate()
    {
        if (Neighbors < 1)
        {
            throw new ArgumentException($"Neighbors must be at least 1, got {Neighbors}.");
        }

        if (Shrinkage < 0 || K1 < 0 || B is < 0 or > 1 || Threads < 0)
        {
            throw new ArgumentException($"Invalid item-knn options: {this} (shrinkage, k1 and threads must be >= 0, b in [0, 1]).");
        }
    }
}
