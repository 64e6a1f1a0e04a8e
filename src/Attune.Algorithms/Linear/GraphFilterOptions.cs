using System.Globalization;

namespace Attune.Algorithms.Linear;

/// <summary>Hyper-parameters of the graph-filter recommender. Every property can be set as "gf-cf:name=value".</summary>
public sealed record GraphFilterOptions
{
    /// <summary>Weight of the ideal low-pass filter (the projection on the top singular vectors); 0 keeps only the linear filter.</summary>
    public float Alpha { get; init; } = 0.3f;

    /// <summary>How many top singular vectors of the normalized rating matrix the ideal low-pass filter keeps.</summary>
    public int Factors { get; init; } = 256;

    /// <summary>Subspace-iteration sweeps that find those vectors.</summary>
    public int Iterations { get; init; } = 10;

    /// <summary>
    /// Exponent e of the item-degree normalization R~ = D_u^-1/2 R D_i^-e; the paper's symmetric 1/2 by
    /// default, larger values damp popular items more.
    /// </summary>
    public float Exponent { get; init; } = 0.5f;

    /// <summary>Seed of the random start of the subspace iteration.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Most bytes the dense item x item matrices may take; larger catalogs are refused.</summary>
    public long MemoryBudgetBytes { get; init; } = 4L << 30;

    /// <summary>Worker threads; 0 means all cores.</summary>
    public int Threads { get; init; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"alpha={Alpha},factors={Factors},iterations={Iterations},exponent={Exponent},seed={Seed},memory-budget-bytes={MemoryBudgetBytes},threads={Threads}");
}
