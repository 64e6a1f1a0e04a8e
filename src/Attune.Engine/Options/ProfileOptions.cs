using Attune.Core.Expressions;

namespace Attune.Engine.Options;

/// <summary>Live user profiles and segments (section <c>Attune:Profiles</c>); see docs/profiles.md.</summary>
public sealed record ProfileOptions
{
    /// <summary>Keep live profiles (and segments). When false, profile and segment endpoints answer 404.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>After this long an event counts half as much toward interests.</summary>
    public TimeSpan InterestHalfLife { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Keys kept per interest field in a snapshot (the highest scores).</summary>
    public int TopInterests { get; init; } = 10;

    /// <summary>
    /// Catalog fields that make interests: <c>category</c> (item categories), <c>tag</c> (item tags), or the name of
    /// an item property holding a string or a list of strings (<c>brand</c>).
    /// </summary>
    public IReadOnlyList<string> InterestFields { get; init; } = ["category", "tag", "brand"];

    /// <summary>Distinct items remembered per user for interests; beyond it the weakest is forgotten.</summary>
    public int MaxItemsPerUser { get; init; } = 5_000;

    /// <summary>Prediction names always bound as <c>predicted.NAME</c> in segment rules, even before a model writes one.</summary>
    public IReadOnlyList<string> PredictionNames { get; init; } = ["purchase_7d", "churn_30d"];

    /// <summary>User attribute types for segment rules (<c>attributes.NAME</c>); undeclared ones are inferred.</summary>
    public IReadOnlyDictionary<string, string> AttributeTypes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public LifecycleOptions Lifecycle { get; init; } = new();

    /// <summary>How often segment sizes are recorded in their history.</summary>
    public TimeSpan SegmentHistoryInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Most segments that may be defined.</summary>
    public int MaxSegments { get; init; } = 1_000;

    internal void Validate(List<string> errors)
    {
        if (InterestHalfLife < TimeSpan.FromMinutes(1) || InterestHalfLife > TimeSpan.FromDays(3650))
        {
            errors.Add($"Attune:Profiles:InterestHalfLife must be between 00:01:00 and 3650.00:00:00 (got {InterestHalfLife}).");
        }

        if (TopInterests is < 1 or > 1000)
        {
            errors.Add($"Attune:Profiles:TopInterests must be between 1 and 1000 (got {TopInterests}).");
        }

        if (MaxItemsPerUser is < 1 or > 1_000_000)
        {
            errors.Add($"Attune:Profiles:MaxItemsPerUser must be between 1 and 1000000 (got {MaxItemsPerUser}).");
        }

        foreach (var f in InterestFields)
        {
            if (!RecordBinder<object>.IsValidPath(f) || f.Contains('.', StringComparison.Ordinal))
            {
                errors.Add($"Attune:Profiles:InterestFields: '{f}' is not a field name (letters, digits and '_').");
            }
        }

        if (InterestFields.Distinct(StringComparer.Ordinal).Count() != InterestFields.Count)
        {
            errors.Add("Attune:Profiles:InterestFields lists a field twice.");
        }

        foreach (var p in PredictionNames)
        {
            if (!RecordBinder<object>.IsValidPath("predicted." + p) || p.Contains('.', StringComparison.Ordinal))
            {
                errors.Add($"Attune:Profiles:PredictionNames: '{p}' is not a name (letters, digits and '_').");
            }
        }

        foreach (var (name, type) in AttributeTypes)
        {
            if (!ExpressionType.TryParse(type, out _))
            {
                errors.Add($"Attune:Profiles:AttributeTypes:{name}: '{type}' is not a type; use string, number, bool, time, list<string>, list<number>, map<string, number> or map<string, string>.");
            }
        }

        if (SegmentHistoryInterval < TimeSpan.FromSeconds(1) || SegmentHistoryInterval > TimeSpan.FromDays(31))
        {
            errors.Add($"Attune:Profiles:SegmentHistoryInterval must be between 00:00:01 and 31.00:00:00 (got {SegmentHistoryInterval}).");
        }

        if (MaxSegments is < 1 or > 100_000)
        {
            errors.Add($"Attune:Profiles:MaxSegments must be between 1 and 100000 (got {MaxSegments}).");
        }

        Lifecycle.Validate(errors);
    }

    public override string ToString() =>
        $"ProfileOptions {{ Enabled = {Enabled}, InterestHalfLife = {InterestHalfLife}, TopInterests = {TopInterests}, " +
        $"InterestFields = [{string.Join(", ", InterestFields)}], MaxItemsPerUser = {MaxItemsPerUser}, " +
        $"PredictionNames = [{string.Join(", ", PredictionNames)}], " +
        $"AttributeTypes = [{string.Join(", ", AttributeTypes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}"))}], " +
        $"Lifecycle = {Lifecycle}, SegmentHistoryInterval = {SegmentHistoryInterval}, MaxSegments = {MaxSegments} }}";
}

/// <summary>
/// Lifecycle stages from days since the last event and since the first one, checked in this order: churned
/// (inactive more than <see cref="ChurnedAfterDays"/>), lapsed (more than <see cref="LapsedAfterDays"/>), at-risk
/// (more than <see cref="AtRiskAfterDays"/>), new (first seen at most <see cref="NewForDays"/> ago), else active.
/// </summary>
public sealed record LifecycleOptions
{
    public double NewForDays { get; init; } = 14;

    public double AtRiskAfterDays { get; init; } = 30;

    public double LapsedAfterDays { get; init; } = 90;

    public double ChurnedAfterDays { get; init; } = 180;

    internal void Validate(List<string> errors)
    {
        if (!(NewForDays >= 0 && AtRiskAfterDays > 0 && AtRiskAfterDays < LapsedAfterDays && LapsedAfterDays < ChurnedAfterDays
            && double.IsFinite(ChurnedAfterDays)))
        {
            errors.Add(
                $"Attune:Profiles:Lifecycle needs 0 <= NewForDays and 0 < AtRiskAfterDays < LapsedAfterDays < ChurnedAfterDays, all finite " +
                $"(got {NewForDays}, {AtRiskAfterDays}, {LapsedAfterDays}, {ChurnedAfterDays}).");
        }
    }
}
