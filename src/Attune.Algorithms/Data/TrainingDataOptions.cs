using System.Globalization;

namespace Attune.Algorithms.Data;

/// <summary>How repeated rows of the same user and item combine into one matrix entry.</summary>
public enum DuplicateAggregation
{
    /// <summary>Weights add up: three views count three times one view.</summary>
    Sum = 0,

    /// <summary>The strongest single event counts: a purchase after views counts as the purchase.</summary>
    Max = 1,
}

/// <summary>How an event that carries a rating value is weighted.</summary>
public enum RatingWeighting
{
    /// <summary>Every rating counts with its event type's weight, whatever the value (ratings as positives).</summary>
    Constant = 0,

    /// <summary>The type's weight times the rating value.</summary>
    Value = 1,

    /// <summary>The type's weight times (value - <see cref="TrainingDataOptions.RatingCenter"/>): low ratings count against the item.</summary>
    Centered = 2,
}

/// <summary>How raw interactions become the weighted user-item matrix.</summary>
public sealed record TrainingDataOptions
{
    /// <summary>How rating events use their value.</summary>
    public RatingWeighting RatingWeighting { get; init; } = RatingWeighting.Constant;

    /// <summary>The neutral rating for <see cref="RatingWeighting.Centered"/>.</summary>
    public float RatingCenter { get; init; } = 3f;

    /// <summary>Event types whose value is a rating.</summary>
    public string RatingType { get; init; } = Attune.Core.EventTypes.Rating;

    /// <summary>
    /// Half-life of the time decay of weights in days; 0 turns decay off. An event this old (relative to
    /// <see cref="ReferenceTimeMs"/>) counts half.
    /// </summary>
    public double HalfLifeDays { get; init; }

    /// <summary>The "now" of the decay in Unix milliseconds; null means the latest event in the data.</summary>
    public long? ReferenceTimeMs { get; init; }

    public DuplicateAggregation Aggregation { get; init; } = DuplicateAggregation.Sum;

    /// <summary>Whether to keep the raw time-ordered rows for order- and time-aware models.</summary>
    public bool KeepInteractionLog { get; init; } = true;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"ratingWeighting={RatingWeighting}, ratingCenter={RatingCenter}, ratingType={RatingType}, halfLifeDays={HalfLifeDays}, referenceTimeMs={(ReferenceTimeMs is { } r ? r.ToString(CultureInfo.InvariantCulture) : "latest")}, aggregation={Aggregation}, keepInteractionLog={KeepInteractionLog}");
}
