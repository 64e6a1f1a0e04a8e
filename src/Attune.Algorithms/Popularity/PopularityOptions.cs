using System.Globalization;

namespace Attune.Algorithms.Popularity;

public sealed record PopularityOptions
{
    /// <summary>Sum the interaction weights when true; count distinct users when false.</summary>
    public bool Weighted { get; init; } = true;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"weighted={Weighted}");
}

public sealed record TrendingOptions
{
    /// <summary>An event this many days older than the latest event counts half.</summary>
    public double HalfLifeDays { get; init; } = 7;

    /// <summary>Sum the event weights when true; count events when false.</summary>
    public bool Weighted { get; init; } = true;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"halfLifeDays={HalfLifeDays}, weighted={Weighted}");
}
