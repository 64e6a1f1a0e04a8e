using System.Text.Json;

namespace Attune.Engine.Profiles;

/// <summary>
/// An immutable snapshot of everything the engine knows about one user's behaviour, as of <see cref="AsOf"/>:
/// what they care about (<see cref="Interests"/>), how valuable they are (<see cref="Rfm"/>, orders, revenue),
/// how they engage (sessions, active days, dwell, channel, device), where they are in their lifecycle, and the
/// scores behaviour models wrote for them. Produced by <see cref="IProfileStore"/>; never mutated.
/// </summary>
/// <remarks>
/// A user who refused personalization has no snapshot at all (<see cref="IProfileStore.Get"/> returns null and
/// <see cref="IProfileStore.IsSuppressed"/> is true). A user flagged as a bot has a snapshot with
/// <see cref="IsBot"/> set and nothing learned from their behaviour.
/// </remarks>
/// <param name="UserId">The user.</param>
/// <param name="AsOf">The time the time-dependent fields (recency, lifecycle, decayed strengths) refer to.</param>
/// <param name="FirstSeen">The earliest event time; null when no event counted.</param>
/// <param name="LastSeen">The latest event time; null when no event counted.</param>
/// <param name="EventCount">Events that counted (after bot, duplicate and consent filtering).</param>
/// <param name="Sessions">Visits: runs of events separated by more than the inactivity gap.</param>
/// <param name="ActiveDays">Distinct UTC calendar days with at least one event.</param>
/// <param name="AverageDwellSeconds">Mean value of <c>dwell</c> events; null when there were none.</param>
/// <param name="PreferredChannel">The channel of most events (ties: ordinal order); null when none was given.</param>
/// <param name="PreferredDevice">The device of most events (ties: ordinal order); null when none was given.</param>
/// <param name="Rfm">Recency, frequency, monetary value and their quintile scores.</param>
/// <param name="Lifecycle">new, active, at-risk, lapsed or churned, by the configured thresholds.</param>
/// <param name="Interests">Catalog field name (<c>category</c>, <c>tag</c>, <c>brand</c>...) to its normalized affinities.</param>
/// <param name="Predictions">Prediction name (<c>purchase_7d</c>, <c>churn_30d</c>) to the latest score written back.</param>
/// <param name="Attributes">The user's stored attributes (from <c>PUT /v1/users/{id}</c>).</param>
/// <param name="MarketingConsent">Whether the user agreed to marketing.</param>
/// <param name="IsBot">Flagged by the data-quality rules; such a profile carries no behaviour.</param>
public sealed record UserProfile(
    string UserId,
    DateTimeOffset AsOf,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    long EventCount,
    int Sessions,
    int ActiveDays,
    double? AverageDwellSeconds,
    string? PreferredChannel,
    string? PreferredDevice,
    RfmScores Rfm,
    LifecycleStage Lifecycle,
    IReadOnlyDictionary<string, InterestScores> Interests,
    IReadOnlyDictionary<string, PredictedScore> Predictions,
    IReadOnlyDictionary<string, JsonElement> Attributes,
    bool MarketingConsent,
    bool IsBot)
{
    /// <summary>Orders (purchase events); the same as <see cref="RfmScores.Frequency"/>.</summary>
    public int OrderCount => Rfm.Frequency;

    /// <summary>Total revenue (sum of purchase values); the same as <see cref="RfmScores.Monetary"/>.</summary>
    public double Revenue => Rfm.Monetary;

    /// <summary>Average order value; null without orders.</summary>
    public double? AverageOrderValue => Rfm.Frequency > 0 ? Rfm.Monetary / Rfm.Frequency : null;

    /// <summary>Whole-ish days between first and last event; null without events.</summary>
    public double? TenureDays => FirstSeen is { } f && LastSeen is { } l ? (l - f).TotalDays : null;

    /// <summary>Days from the last event to <see cref="AsOf"/>; null without events.</summary>
    public double? DaysSinceLastSeen => LastSeen is { } l ? (AsOf - l).TotalDays : null;

    /// <summary>The normalized affinity to <paramref name="key"/> of <paramref name="field"/>; 0 when absent.</summary>
    public double Interest(string field, string key) =>
        Interests.TryGetValue(field, out var s) && s.Scores.TryGetValue(key, out var v) ? v : 0;

    /// <summary>The latest score of <paramref name="name"/>; null when no model wrote one.</summary>
    public double? Predicted(string name) => Predictions.TryGetValue(name, out var p) ? p.Score : null;
}

/// <summary>Recency, frequency and monetary value, each with its quintile score over the whole population.</summary>
/// <param name="RecencyDays">Days from the last order to the snapshot time; null without orders.</param>
/// <param name="Frequency">Number of orders (purchase events).</param>
/// <param name="Monetary">Total revenue (sum of purchase event values).</param>
/// <param name="R">Recency quintile, 5 = most recent fifth of buyers, 1 = least; 0 without orders.</param>
/// <param name="F">Frequency quintile, 5 = most orders; 0 without orders.</param>
/// <param name="M">Monetary quintile, 5 = highest revenue; 0 without orders.</param>
public sealed record RfmScores(double? RecencyDays, int Frequency, double Monetary, int R, int F, int M)
{
    public static RfmScores None { get; } = new(null, 0, 0, 0, 0, 0);

    /// <summary>The classic three-digit cell ("545"); null without orders.</summary>
    public string? Cell => R == 0 ? null : $"{R}{F}{M}";
}

/// <summary>Where a user is in their relationship with the site, from recency and tenure (see docs/profiles.md).</summary>
public enum LifecycleStage
{
    New,
    Active,
    AtRisk,
    Lapsed,
    Churned,
}

/// <summary>Names of lifecycle stages as used in JSON and expressions (<c>lifecycle == "at-risk"</c>).</summary>
public static class LifecycleStages
{
    public static string Name(LifecycleStage stage) => stage switch
    {
        LifecycleStage.New => "new",
        LifecycleStage.Active => "active",
        LifecycleStage.AtRisk => "at-risk",
        LifecycleStage.Lapsed => "lapsed",
        LifecycleStage.Churned => "churned",
        _ => stage.ToString().ToLowerInvariant(),
    };
}

/// <summary>One key of an interest field with its normalized score.</summary>
public readonly record struct InterestScore(string Key, double Score);

/// <summary>
/// A user's affinities to the values of one catalog field: time-decayed, normalized to sum to 1 over the field's
/// positive values, cut to the top N. <see cref="Top"/> is sorted by score (ties: key, ordinal);
/// <see cref="Scores"/> holds the same entries by key. <see cref="Strength"/> is the total decayed weight before
/// normalization, as of the snapshot time (how much evidence there is).
/// </summary>
public sealed class InterestScores
{
    public InterestScores(IReadOnlyList<InterestScore> top, double strength)
    {
        Top = top;
        Strength = strength;
        var scores = new Dictionary<string, double>(top.Count, StringComparer.Ordinal);
        foreach (var s in top)
        {
            scores[s.Key] = s.Score;
        }

        Scores = scores;
    }

    public static InterestScores Empty { get; } = new([], 0);

    public IReadOnlyList<InterestScore> Top { get; }

    public IReadOnlyDictionary<string, double> Scores { get; }

    public double Strength { get; }
}

/// <summary>A behaviour model's score for a user, with the model version that produced it and when.</summary>
public sealed record PredictedScore(double Score, string ModelVersion, DateTimeOffset At);
