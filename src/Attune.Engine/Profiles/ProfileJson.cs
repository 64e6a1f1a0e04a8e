using System.Text.Json;

namespace Attune.Engine.Profiles;

/// <summary>The JSON shape of a profile (<c>GET /v1/users/{id}/profile</c>, the user export, the CLI).</summary>
public static class ProfileJson
{
    public static void Write(Utf8JsonWriter w, UserProfile p)
    {
        w.WriteStartObject();
        w.WriteString("userId"u8, p.UserId);
        w.WriteString("asOf"u8, p.AsOf.ToUniversalTime());
        WriteTime(w, "firstSeen"u8, p.FirstSeen);
        WriteTime(w, "lastSeen"u8, p.LastSeen);
        w.WriteString("lifecycle"u8, LifecycleStages.Name(p.Lifecycle));
        w.WriteBoolean("bot"u8, p.IsBot);
        w.WriteNumber("events"u8, p.EventCount);
        w.WriteNumber("sessions"u8, p.Sessions);
        w.WriteNumber("activeDays"u8, p.ActiveDays);
        WriteNumber(w, "avgDwellSeconds"u8, p.AverageDwellSeconds);
        WriteString(w, "preferredChannel"u8, p.PreferredChannel);
        WriteString(w, "preferredDevice"u8, p.PreferredDevice);
        w.WriteNumber("orders"u8, p.OrderCount);
        w.WriteNumber("revenue"u8, p.Revenue);
        WriteNumber(w, "aov"u8, p.AverageOrderValue);
        w.WriteStartObject("rfm"u8);
        WriteNumber(w, "recencyDays"u8, p.Rfm.RecencyDays);
        w.WriteNumber("frequency"u8, p.Rfm.Frequency);
        w.WriteNumber("monetary"u8, p.Rfm.Monetary);
        w.WriteNumber("r"u8, p.Rfm.R);
        w.WriteNumber("f"u8, p.Rfm.F);
        w.WriteNumber("m"u8, p.Rfm.M);
        WriteString(w, "cell"u8, p.Rfm.Cell);
        w.WriteEndObject();
        w.WriteStartObject("interests"u8);
        foreach (var (field, scores) in p.Interests.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject(field);
            w.WriteNumber("strength"u8, scores.Strength);
            w.WriteStartArray("top"u8);
            foreach (var s in scores.Top)
            {
                w.WriteStartObject();
                w.WriteString("key"u8, s.Key);
                w.WriteNumber("score"u8, s.Score);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("predicted"u8);
        foreach (var (name, score) in p.Predictions.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject(name);
            w.WriteNumber("score"u8, score.Score);
            w.WriteString("modelVersion"u8, score.ModelVersion);
            w.WriteString("at"u8, score.At.ToUniversalTime());
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteBoolean("marketingConsent"u8, p.MarketingConsent);
        w.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTimeOffset? t)
    {
        if (t is { } v)
        {
            w.WriteString(name, v.ToUniversalTime());
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, ReadOnlySpan<byte> name, double? d)
    {
        if (d is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteString(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? s)
    {
        if (s is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, s);
        }
    }
}
