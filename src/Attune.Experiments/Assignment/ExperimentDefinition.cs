using System.Globalization;

namespace Attune.Experiments.Assignment;

public enum ExperimentStatus
{
    /// <summary>Defined but assigning nobody yet.</summary>
    Draft,

    /// <summary>Assigning users and collecting results.</summary>
    Running,

    /// <summary>Finished: assigns nobody, results stay readable; its layer buckets are free again.</summary>
    Stopped,
}

/// <summary>How a metric turns a user's events in the experiment window into a number.</summary>
public enum MetricKind
{
    /// <summary>Share of users with at least one event of the type (two-proportion z-test).</summary>
    Conversion,

    /// <summary>Events of the type per user (Welch, CUPED).</summary>
    Count,

    /// <summary>Sum of the events' values per user, e.g. revenue per user from purchase events (Welch, CUPED).</summary>
    Revenue,

    /// <summary>Events of the type divided by events of the denominator type, e.g. CTR = clicks / impressions (delta method).</summary>
    Ratio,
}

/// <param name="Name">Shown in results.</param>
/// <param name="EventType">The event type counted (the numerator of a ratio).</param>
/// <param name="DenominatorEventType">The denominator event type of a ratio metric.</param>
public sealed record MetricDefinition(string Name, MetricKind Kind, string EventType, string? DenominatorEventType = null);

/// <param name="Id">Variant id; the first variant of an experiment is its control.</param>
/// <param name="Weight">Relative traffic share.</param>
public sealed record VariantDefinition(string Id, double Weight = 1);

/// <summary>An A/B/n test: who is in it (layer, traffic), how they are split, what is measured, and when.</summary>
/// <remarks>
/// Settable rather than init-only on purpose: the JSON source generator assigns every init-only property in
/// its object initializer, so a field missing from a request body would replace the default with 0 or null.
/// Treat instances as values: change them with <c>with</c>.
/// </remarks>
public sealed record ExperimentDefinition
{
    public required string Id { get; init; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    /// <summary>Experiments in the same layer never share a user (mutually exclusive); different layers are independent.</summary>
    public string Layer { get; set; } = "default";

    /// <summary>Share of the layer's users that enter the experiment, in (0, 1].</summary>
    public double Traffic { get; set; } = 1;

    public IReadOnlyList<VariantDefinition> Variants { get; set; } = [];

    public IReadOnlyList<MetricDefinition> Metrics { get; set; } = [];

    public ExperimentStatus Status { get; set; } = ExperimentStatus.Draft;

    /// <summary>Start of the results window (set when the experiment starts running when not given).</summary>
    public DateTimeOffset? StartAt { get; set; }

    /// <summary>End of the results window (set when the experiment stops when not given).</summary>
    public DateTimeOffset? EndAt { get; set; }

    /// <summary>Hash salt for the variant split; defaults to the id. Changing it reshuffles users.</summary>
    public string? Salt { get; set; }

    /// <summary>Significance level of tests and intervals.</summary>
    public double Alpha { get; set; } = 0.05;

    /// <summary>The relative effect worth detecting; sets the mSPRT mixing scale (tau = effect x control mean). Optional.</summary>
    public double? MinimumDetectableEffect { get; set; }

    /// <summary>
    /// Users (all variants together) the experiment is planned to reach. When set, results carry a group-sequential
    /// test with <see cref="PlannedLooks"/> looks equally spaced up to this many users, which may be acted on at every
    /// planned look and still has a false-positive rate of <see cref="Alpha"/>. Optional.
    /// </summary>
    public long? PlannedUsers { get; set; }

    /// <summary>Looks planned for the group-sequential test (1-200; 10 by default), e.g. one a day for a 10-day test.</summary>
    public int PlannedLooks { get; set; } = 10;

    /// <summary>How the group-sequential test spends alpha over the looks: O'Brien-Fleming type (default) or Pocock type.</summary>
    public Statistics.SpendingFunction Spending { get; set; } = Statistics.SpendingFunction.OBrienFleming;

    /// <summary>First layer bucket (of 10,000) owned by the experiment; assigned by the repository.</summary>
    public int BucketStart { get; set; }

    /// <summary>One past the last owned bucket.</summary>
    public int BucketEnd { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string EffectiveSalt => string.IsNullOrEmpty(Salt) ? Id : Salt;

    public int BucketCount => (int)Math.Round(Traffic * ExperimentAssigner.Buckets);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Id} layer={Layer} traffic={Traffic} variants={string.Join('/', Variants.Select(v => $"{v.Id}:{v.Weight}"))} status={Status} buckets=[{BucketStart},{BucketEnd})");
}
