using System.Text.Json;
using Attune.Core;
using Attune.Core.Expressions;

namespace Attune.Engine.Profiles;

/// <summary>
/// The expression fields of a <see cref="UserProfile"/>, so segment rules use the same language as serving filters:
/// <list type="bullet">
/// <item><c>id</c>, <c>preferred_channel</c>, <c>preferred_device</c>, <c>lifecycle</c> (<c>new</c>, <c>active</c>,
/// <c>at-risk</c>, <c>lapsed</c>, <c>churned</c>), <c>rfm.cell</c> (strings);</item>
/// <item><c>first_seen</c>, <c>last_seen</c> (times);</item>
/// <item><c>events</c>, <c>sessions</c>, <c>active_days</c>, <c>avg_dwell_seconds</c>, <c>tenure_days</c>,
/// <c>days_since_seen</c>, <c>orders</c>, <c>revenue</c>, <c>aov</c>, <c>rfm.recency_days</c>, <c>rfm.frequency</c>,
/// <c>rfm.monetary</c>, <c>rfm.r</c>, <c>rfm.f</c>, <c>rfm.m</c> (numbers);</item>
/// <item><c>bot</c>, <c>consent.marketing</c> (bools);</item>
/// <item><c>interests.FIELD</c> (map of key to normalized score) per interest field, e.g.
/// <c>interests.category["sports"]</c>;</item>
/// <item><c>predicted.NAME</c> (number) per prediction name, e.g. <c>predicted.purchase_7d</c>;</item>
/// <item><c>attributes.NAME</c> per user attribute, typed as declared or inferred from a sample of users.</item>
/// </list>
/// A value that is absent (no orders, no dwell, no prediction written, an unknown interest key) is missing, so
/// every comparison with it is false (see docs/expressions.md).
/// </summary>
public static class ProfileSchema
{
    private static readonly IReadOnlyDictionary<string, double> NoScores = new Dictionary<string, double>();

    /// <param name="interestFields">Interest field names (e.g. <c>category</c>, <c>tag</c>, <c>brand</c>).</param>
    /// <param name="predictionNames">Prediction names bound as <c>predicted.NAME</c>.</param>
    /// <param name="declaredAttributes">User attribute name to type; wins over inference.</param>
    /// <param name="userSample">Users whose attributes fix the types of undeclared attributes.</param>
    public static RecordBinder<UserProfile> Create(
        IEnumerable<string> interestFields,
        IEnumerable<string> predictionNames,
        IReadOnlyDictionary<string, ExpressionType>? declaredAttributes = null,
        IEnumerable<User>? userSample = null)
    {
        var binder = new RecordBinder<UserProfile>()
            .AddString("id", p => p.UserId)
            .AddTime("first_seen", p => p.FirstSeen)
            .AddTime("last_seen", p => p.LastSeen)
            .AddNumber("events", p => p.EventCount)
            .AddNumber("sessions", p => p.Sessions)
            .AddNumber("active_days", p => p.ActiveDays)
            .AddNumber("avg_dwell_seconds", p => p.AverageDwellSeconds)
            .AddNumber("tenure_days", p => p.TenureDays)
            .AddNumber("days_since_seen", p => p.DaysSinceLastSeen)
            .AddString("preferred_channel", p => p.PreferredChannel)
            .AddString("preferred_device", p => p.PreferredDevice)
            .AddString("lifecycle", p => LifecycleStages.Name(p.Lifecycle))
            .AddBool("bot", p => p.IsBot)
            .AddBool("consent.marketing", p => p.MarketingConsent)
            .AddNumber("orders", p => p.OrderCount)
            .AddNumber("revenue", p => p.Revenue)
            .AddNumber("aov", p => p.AverageOrderValue)
            .AddNumber("rfm.recency_days", p => p.Rfm.RecencyDays)
            .AddNumber("rfm.frequency", p => p.Rfm.Frequency)
            .AddNumber("rfm.monetary", p => p.Rfm.Monetary)
            .AddNumber("rfm.r", p => p.Rfm.R == 0 ? null : p.Rfm.R)
            .AddNumber("rfm.f", p => p.Rfm.F == 0 ? null : p.Rfm.F)
            .AddNumber("rfm.m", p => p.Rfm.M == 0 ? null : p.Rfm.M)
            .AddString("rfm.cell", p => p.Rfm.Cell);

        foreach (var field in interestFields.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var f = field;
            binder.AddNumberMap("interests." + f, p => p.Interests.TryGetValue(f, out var s) ? s.Scores : NoScores);
        }

        foreach (var name in predictionNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var n = name;
            if (RecordBinder<UserProfile>.IsValidPath("predicted." + n))
            {
                binder.AddNumber("predicted." + n, p => p.Predicted(n));
            }
        }

        // The user binder already knows how to type attributes (declared, else inferred, conflicts explained).
        var users = UserSchema.Create(declaredAttributes, userSample);
        foreach (var (path, type) in users.Schema.Fields)
        {
            if (path.StartsWith(UserSchema.AttributesPrefix, StringComparison.Ordinal))
            {
                var name = path[UserSchema.AttributesPrefix.Length..];
                binder.AddJson(path, type, p => p.Attributes.TryGetValue(name, out var e) ? e : default(JsonElement));
            }
        }

        foreach (var (path, reason) in users.Schema.Unavailable)
        {
            binder.AddUnavailable(path, reason);
        }

        return binder;
    }
}
