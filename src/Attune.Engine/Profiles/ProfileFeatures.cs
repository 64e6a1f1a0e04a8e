namespace Attune.Engine.Profiles;

/// <summary>
/// A numeric view of profiles with named features, for clustering (discovered segments) and as bandit context.
/// The fixed features come first (<see cref="FixedNames"/>); then one feature per interest key chosen from the
/// population (<c>interests.category[sports]</c>), so the vector has the same meaning for every profile.
/// Features are raw (not standardized): recency and counts are log-scaled with <c>log1p</c> so a few heavy users
/// do not dominate; missing values are 0 (with the <c>has_orders</c> indicator for the RFM block).
/// </summary>
public sealed class ProfileFeatures
{
    /// <summary>The features every vector starts with, in order.</summary>
    public static IReadOnlyList<string> FixedNames { get; } =
    [
        "log_recency_days",       // log1p(days since last order); 0 without orders (see has_orders)
        "log_orders",             // log1p(order count)
        "log_revenue",            // log1p(total revenue)
        "log_aov",                // log1p(average order value)
        "has_orders",             // 1 when the user ordered
        "rfm_r", "rfm_f", "rfm_m", // quintile scores 0..5
        "log_events",
        "log_sessions",
        "log_active_days",
        "log_days_since_seen",
        "log_tenure_days",
        "log_avg_dwell",
        "channel_web", "channel_app", "channel_email", "channel_push", "channel_store",
        "device_mobile", "device_desktop", "device_tablet",
        "lifecycle_new", "lifecycle_active", "lifecycle_at_risk", "lifecycle_lapsed", "lifecycle_churned",
    ];

    private readonly (string Field, string Key)[] _interestKeys;

    private ProfileFeatures((string Field, string Key)[] interestKeys, IReadOnlyList<string> predictionNames)
    {
        _interestKeys = interestKeys;
        PredictionNames = predictionNames;
        var names = new List<string>(FixedNames);
        foreach (var (field, key) in interestKeys)
        {
            names.Add($"interests.{field}[{key}]");
        }

        foreach (var p in predictionNames)
        {
            names.Add("predicted." + p);
        }

        Names = names;
    }

    /// <summary>Feature names in vector order.</summary>
    public IReadOnlyList<string> Names { get; }

    public int Count => Names.Count;

    /// <summary>The prediction scores appended at the end (0 when absent).</summary>
    public IReadOnlyList<string> PredictionNames { get; }

    /// <summary>Only the fixed features.</summary>
    public static ProfileFeatures Basic { get; } = new([], []);

    /// <summary>
    /// The fixed features plus, for each interest field, the <paramref name="keysPerField"/> keys with the most
    /// total score over <paramref name="profiles"/> (ties: ordinal), plus the given prediction names.
    /// O(profiles x top-N).
    /// </summary>
    public static ProfileFeatures Create(IEnumerable<UserProfile> profiles, int keysPerField, IReadOnlyList<string>? predictionNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keysPerField);
        var totals = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var p in profiles)
        {
            foreach (var (field, scores) in p.Interests)
            {
                if (!totals.TryGetValue(field, out var t))
                {
                    totals[field] = t = new Dictionary<string, double>(StringComparer.Ordinal);
                }

                foreach (var s in scores.Top)
                {
                    t[s.Key] = t.GetValueOrDefault(s.Key) + s.Score;
                }
            }
        }

        var keys = new List<(string, string)>();
        foreach (var field in totals.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var kv in totals[field]
                .OrderByDescending(kv => kv.Value)
                .ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Take(keysPerField))
            {
                keys.Add((field, kv.Key));
            }
        }

        return new ProfileFeatures([.. keys], predictionNames ?? []);
    }

    /// <summary>Writes the features of <paramref name="profile"/> into <paramref name="destination"/> (length <see cref="Count"/>).</summary>
    public void Write(UserProfile profile, Span<float> destination)
    {
        if (destination.Length < Count)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {Count} are needed.", nameof(destination));
        }

        var rfm = profile.Rfm;
        var i = 0;
        destination[i++] = Log(rfm.RecencyDays ?? 0);
        destination[i++] = Log(rfm.Frequency);
        destination[i++] = Log(rfm.Monetary);
        destination[i++] = Log(profile.AverageOrderValue ?? 0);
        destination[i++] = rfm.Frequency > 0 ? 1 : 0;
        destination[i++] = rfm.R;
        destination[i++] = rfm.F;
        destination[i++] = rfm.M;
        destination[i++] = Log(profile.EventCount);
        destination[i++] = Log(profile.Sessions);
        destination[i++] = Log(profile.ActiveDays);
        destination[i++] = Log(profile.DaysSinceLastSeen ?? 0);
        destination[i++] = Log(profile.TenureDays ?? 0);
        destination[i++] = Log(profile.AverageDwellSeconds ?? 0);
        foreach (var channel in (ReadOnlySpan<string>)["web", "app", "email", "push", "store"])
        {
            destination[i++] = string.Equals(profile.PreferredChannel, channel, StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        }

        foreach (var device in (ReadOnlySpan<string>)["mobile", "desktop", "tablet"])
        {
            destination[i++] = string.Equals(profile.PreferredDevice, device, StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        }

        for (var s = LifecycleStage.New; s <= LifecycleStage.Churned; s++)
        {
            destination[i++] = profile.Lifecycle == s ? 1 : 0;
        }

        foreach (var (field, key) in _interestKeys)
        {
            destination[i++] = (float)profile.Interest(field, key);
        }

        foreach (var name in PredictionNames)
        {
            destination[i++] = (float)(profile.Predicted(name) ?? 0);
        }
    }

    /// <summary>A new array with the features of <paramref name="profile"/>.</summary>
    public float[] Vector(UserProfile profile)
    {
        var v = new float[Count];
        Write(profile, v);
        return v;
    }

    private static float Log(double x) => (float)Math.Log(1 + Math.Max(0, x));
}
