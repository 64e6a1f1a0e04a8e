using Attune.Core;

namespace Attune.Evaluation.Data;

/// <summary>Which events count as positive interactions when a dataset or a store is loaded for evaluation.</summary>
/// <param name="MinRating">Rating events with a value below this are dropped; null keeps every rating as a positive.</param>
/// <param name="EventTypes">Weights and polarity per event type: only events with a positive weight are kept.</param>
public sealed record LoadOptions(double? MinRating = null, EventTypeRegistry? EventTypes = null)
{
    public static LoadOptions Default { get; } = new();

    public EventTypeRegistry Registry => EventTypes ?? EventTypeRegistry.Default;

    public override string ToString() => $"MinRating={MinRating?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
}
