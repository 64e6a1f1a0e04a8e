using System.Globalization;

namespace Attune.Experiments.Assignment;

/// <summary>A problem with an experiment definition, naming the field.</summary>
public sealed record DefinitionError(string Field, string Message);

/// <summary>Checks an experiment definition and names every bad field.</summary>
public static class ExperimentValidator
{
    public const int MaxVariants = 20;
    public const int MaxMetrics = 20;

    public static IReadOnlyList<DefinitionError> Validate(ExperimentDefinition e)
    {
        var errors = new List<DefinitionError>();
        if (!IsId(e.Id))
        {
            errors.Add(new("id", "must be 1-64 characters of letters, digits, '-', '_' or '.'"));
        }

        if (!IsId(e.Layer))
        {
            errors.Add(new("layer", "must be 1-64 characters of letters, digits, '-', '_' or '.'"));
        }

        if (!(e.Traffic > 0 && e.Traffic <= 1))
        {
            errors.Add(new("traffic", string.Create(CultureInfo.InvariantCulture, $"must be in (0, 1]; got {e.Traffic}")));
        }

        if (e.Variants is null || e.Metrics is null)
        {
            errors.Add(new(e.Variants is null ? "variants" : "metrics", "must be a list, not null"));
            return errors;
        }

        if (e.Variants.Count is < 2 or > MaxVariants)
        {
            errors.Add(new("variants", $"needs 2 to {MaxVariants} variants (the first is the control); got {e.Variants.Count}"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < e.Variants.Count; i++)
        {
            var v = e.Variants[i];
            if (v is null || !IsId(v.Id))
            {
                errors.Add(new($"variants[{i}].id", "must be 1-64 characters of letters, digits, '-', '_' or '.'"));
            }
            else if (!seen.Add(v.Id))
            {
                errors.Add(new($"variants[{i}].id", $"'{v.Id}' is used twice"));
            }

            if (v is not null && !(v.Weight > 0 && double.IsFinite(v.Weight)))
            {
                errors.Add(new($"variants[{i}].weight", string.Create(CultureInfo.InvariantCulture, $"must be a positive number; got {v.Weight}")));
            }
        }

        if (e.Metrics.Count > MaxMetrics)
        {
            errors.Add(new("metrics", $"at most {MaxMetrics} metrics"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < e.Metrics.Count; i++)
        {
            var m = e.Metrics[i];
            if (m is null || string.IsNullOrWhiteSpace(m.Name) || m.Name.Length > 64)
            {
                errors.Add(new($"metrics[{i}].name", "must be 1-64 characters"));
                continue;
            }

            if (!names.Add(m.Name))
            {
                errors.Add(new($"metrics[{i}].name", $"'{m.Name}' is used twice"));
            }

            if (!Enum.IsDefined(m.Kind))
            {
                errors.Add(new($"metrics[{i}].kind", "must be conversion, count, revenue or ratio"));
            }

            if (string.IsNullOrWhiteSpace(m.EventType))
            {
                errors.Add(new($"metrics[{i}].eventType", "names the event type the metric counts"));
            }

            if (m.Kind == MetricKind.Ratio && string.IsNullOrWhiteSpace(m.DenominatorEventType))
            {
                errors.Add(new($"metrics[{i}].denominatorEventType", "a ratio metric needs a denominator event type"));
            }

            if (m.Kind != MetricKind.Ratio && m.DenominatorEventType is not null)
            {
                errors.Add(new($"metrics[{i}].denominatorEventType", "only ratio metrics have a denominator"));
            }
        }

        if (!(e.Alpha > 0 && e.Alpha < 0.5))
        {
            errors.Add(new("alpha", string.Create(CultureInfo.InvariantCulture, $"must be in (0, 0.5); got {e.Alpha}")));
        }

        if (e.MinimumDetectableEffect is { } mde && !(mde > 0 && double.IsFinite(mde)))
        {
            errors.Add(new("minimumDetectableEffect", "must be a positive relative effect, e.g. 0.05 for 5%"));
        }

        if (e.PlannedUsers is { } planned && planned < 2)
        {
            errors.Add(new("plannedUsers", string.Create(CultureInfo.InvariantCulture, $"must be at least 2 users; got {planned}")));
        }

        if (e.PlannedLooks is < 1 or > Statistics.GroupSequentialDesign.MaxLooks)
        {
            errors.Add(new("plannedLooks", string.Create(CultureInfo.InvariantCulture, $"must be between 1 and {Statistics.GroupSequentialDesign.MaxLooks}; got {e.PlannedLooks}")));
        }

        if (!Enum.IsDefined(e.Spending))
        {
            errors.Add(new("spending", "must be OBrienFleming or Pocock"));
        }

        if (e.StartAt is { } start && e.EndAt is { } end && end <= start)
        {
            errors.Add(new("endAt", "must be after startAt"));
        }

        if (!Enum.IsDefined(e.Status))
        {
            errors.Add(new("status", "must be draft, running or stopped"));
        }

        return errors;
    }

    private static bool IsId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
