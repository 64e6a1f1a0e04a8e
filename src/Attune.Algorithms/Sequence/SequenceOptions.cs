using System.Globalization;

namespace Attune.Algorithms.Sequence;

public sealed record SequenceOptions
{
    /// <summary>How many following events each event links to (W).</summary>
    public int Window { get; init; } = 10;

    /// <summary>Weight factor per step of distance inside the window: the k-th next event counts Decay^(k-1).</summary>
    public float Decay { get; init; } = 0.85f;

    /// <summary>How many of the user's latest events are used to score (L).</summary>
    public int HistoryLength { get; init; } = 10;

    /// <summary>Weight factor per step of age in the history: the latest event counts 1, the one before HistoryDecay, ...</summary>
    public float HistoryDecay { get; init; } = 0.7f;

    /// <summary>
    /// Weight of the backward links (an event also points to the events just before it), turning pure
    /// transitions into windowed co-occurrence; 0 keeps transitions only.
    /// </summary>
    public float CoOccurrence { get; init; }

    /// <summary>Exponent of the row normalization: each row is divided by (row sum)^RowNormalization; 1 makes rows sum to 1.</summary>
    public float RowNormalization { get; init; } = 1f;

    /// <summary>Exponent of a popularity discount: every transition into item j is divided by (in-weight of j)^TargetDiscount.</summary>
    public float TargetDiscount { get; init; } = 0.2f;

    /// <summary>Transitions kept per item (the strongest); 0 keeps all.</summary>
    public int MaxTransitions { get; init; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"window={Window}, decay={Decay}, historyLength={HistoryLength}, historyDecay={HistoryDecay}, coOccurrence={CoOccurrence}, rowNormalization={RowNormalization}, targetDiscount={TargetDiscount}, maxTransitions={MaxTransitions}");

    internal void Validate()
    {
        if (Window < 1 || HistoryLength < 1 || MaxTransitions < 0)
        {
            throw new ArgumentException($"Window and HistoryLength must be at least 1 and MaxTransitions at least 0: {this}.");
        }

        if (Decay is <= 0 or > 1 || HistoryDecay is <= 0 or > 1 || CoOccurrence < 0)
        {
            throw new ArgumentException($"Decay and HistoryDecay must lie in (0, 1] and CoOccurrence be >= 0: {this}.");
        }
    }
}
