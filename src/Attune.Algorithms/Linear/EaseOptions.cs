using System.Globalization;

namespace Attune.Algorithms.Linear;

/// <summary>Hyper-parameters of EASE. Every property can be set as "ease:name=value".</summary>
public sealed record EaseOptions
{
    /// <summary>L2 penalty on the item-item weights (added to the Gram matrix diagonal).</summary>
    public float Lambda { get; init; } = 500f;

    /// <summary>
    /// Dropout probability p of emphasized denoising (EDLAE, Steck 2020): adds p / (1 - p) times each item's
    /// own Gram diagonal (its popularity) to that item's penalty. 0 is plain EASE.
    /// </summary>
    public float Dropout { get; init; }

    /// <summary>
    /// Upper bound xi on the diagonal of the weights (RDLAE, Moon et al. 2023): 0 keeps EASE/EDLAE's zero
    /// diagonal, 1 drops the constraint (DLAE: B = (G + Lambda)^-1 G); values between relax it.
    /// </summary>
    public float Diagonal { get; init; }

    /// <summary>Most bytes the dense item x item matrices may take; larger catalogs are refused.</summary>
    public long MemoryBudgetBytes { get; init; } = 4L << 30;

    /// <summary>Worker threads; 0 means all cores.</summary>
    public int Threads { get; init; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"lambda={Lambda},dropout={Dropout},diagonal={Diagonal},memory-budget-bytes={MemoryBudgetBytes},threads={Threads}");
}
