using System.Globalization;

namespace Attune.Experiments.Simulation;

/// <summary>The ground truth of a synthetic population. Every property can be set as "name=value" on the command line.</summary>
public sealed record PopulationOptions
{
    public int Users { get; init; } = 5000;

    /// <summary>Taste segments; each prefers a different variant when <see cref="Segments"/> &gt; 1.</summary>
    public int Segments { get; init; } = 3;

    public int Variants { get; init; } = 3;

    /// <summary>Click rate of a segment's favourite variant at the top position.</summary>
    public double FavouriteClickRate { get; init; } = 0.12;

    /// <summary>Click rates of the other variants are drawn uniformly in [low, high].</summary>
    public double OtherClickLow { get; init; } = 0.03;

    public double OtherClickHigh { get; init; } = 0.07;

    /// <summary>Noise features appended to the segment one-hot (carry no signal).</summary>
    public int NoiseFeatures { get; init; } = 1;

    /// <summary>Examination probability by position (position-based click model); position 0 is the top.</summary>
    public IReadOnlyList<double> PositionBias { get; init; } = [1.0, 0.7, 0.5];

    /// <summary>Click rate multiplier per earlier exposure of the same user to the same variant (1 = no fatigue).</summary>
    public double Fatigue { get; init; } = 0.9;

    /// <summary>P(purchase | click).</summary>
    public double PurchaseRate { get; init; } = 0.2;

    /// <summary>Mean order value; revenue is log-normal around it.</summary>
    public double MeanOrderValue { get; init; } = 40;

    /// <summary>Mean visits per user per experiment period.</summary>
    public double MeanVisits { get; init; } = 5;

    public int Seed { get; init; } = 7;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"users={Users},segments={Segments},variants={Variants},favourite-click-rate={FavouriteClickRate},other-click-low={OtherClickLow},other-click-high={OtherClickHigh},noise-features={NoiseFeatures},position-bias={string.Join('/', PositionBias)},fatigue={Fatigue},purchase-rate={PurchaseRate},mean-order-value={MeanOrderValue},mean-visits={MeanVisits},seed={Seed}");

    internal void Validate()
    {
        Check(Users >= 1, "users", Users);
        Check(Segments >= 1, "segments", Segments);
        Check(Variants >= 1, "variants", Variants);
        Check(FavouriteClickRate is > 0 and <= 1, "favourite-click-rate", FavouriteClickRate);
        Check(OtherClickLow is >= 0 and <= 1 && OtherClickHigh is >= 0 and <= 1 && OtherClickLow <= OtherClickHigh, "other-click-low/high", OtherClickLow);
        Check(NoiseFeatures >= 0, "noise-features", NoiseFeatures);
        Check(PositionBias.Count >= 1 && PositionBias.All(b => b is > 0 and <= 1), "position-bias", string.Join('/', PositionBias));
        Check(Fatigue is > 0 and <= 1, "fatigue", Fatigue);
        Check(PurchaseRate is >= 0 and <= 1, "purchase-rate", PurchaseRate);
        Check(MeanOrderValue > 0, "mean-order-value", MeanOrderValue);
        Check(MeanVisits >= 1, "mean-visits", MeanVisits);
    }

    private static void Check(bool ok, string name, object value)
    {
        if (!ok)
        {
            throw new ArgumentException($"Population option {name}={value} is out of range.", name);
        }
    }
}
