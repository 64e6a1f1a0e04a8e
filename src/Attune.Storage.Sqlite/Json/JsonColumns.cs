using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Attune.Core;

namespace Attune.Storage.Sqlite.Json;

/// <summary>
/// Compact JSON text for the free-form columns (context, properties, attributes, lists). Empty values are
/// stored as NULL so the common event without context or properties costs no bytes and no serialization.
/// </summary>
internal static class JsonColumns
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static string? Write(IReadOnlyDictionary<string, JsonElement>? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return null;
        }

        return WriteWith(properties, static (w, p) =>
        {
            w.WriteStartObject();
            foreach (var (k, v) in p)
            {
                w.WritePropertyName(k);
                v.WriteTo(w);
            }

            w.WriteEndObject();
        });
    }

    public static string? Write(EventContext? context)
    {
        if (context is null || context == Empty)
        {
            return null;
        }

        return WriteWith(context, static (w, c) =>
        {
            w.WriteStartObject();
            WriteIfSet(w, "channel", c.Channel);
            WriteIfSet(w, "device", c.Device);
            WriteIfSet(w, "page", c.Page);
            WriteIfSet(w, "campaign", c.Campaign);
            WriteIfSet(w, "recommendationId", c.RecommendationId);
            WriteIfSet(w, "decisionId", c.DecisionId);
            w.WriteEndObject();
        });
    }

    public static string? Write(IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        return WriteWith(values, static (w, list) =>
        {
            w.WriteStartArray();
            foreach (var s in list)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
        });
    }

    public static Dictionary<string, JsonElement>? ReadProperties(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            result[p.Name] = p.Value.Clone();
        }

        return result;
    }

    public static EventContext? ReadContext(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new EventContext(
            Get(r, "channel"), Get(r, "device"), Get(r, "page"), Get(r, "campaign"), Get(r, "recommendationId"), Get(r, "decisionId"));
    }

    public static List<string>? ReadList(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        var result = new List<string>(doc.RootElement.GetArrayLength());
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            result.Add(e.GetString() ?? string.Empty);
        }

        return result;
    }

    public static string? WriteTime(DateTimeOffset? t) => t?.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ReadTime(string? s) =>
        s is null ? null : DateTimeOffset.ParseExact(s, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static readonly EventContext Empty = new();

    private static string WriteWith<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteIfSet(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static string? Get(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
