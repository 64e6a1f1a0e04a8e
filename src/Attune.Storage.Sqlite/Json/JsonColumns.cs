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

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static string? Write(IReadOnlyDictionary<string, JsonElement>? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return null;
        }

        return WriteWith(properties, WriteProperties);
    }

    public static string? Write(EventContext? context)
    {
        if (context is null || context == Empty)
        {
            return null;
        }

        return WriteWith(context, WriteContext);
    }

    /// <summary>
    /// The column's UTF-8 bytes in a per-thread buffer (valid until the next call on this thread), or false
    /// when the column is NULL: the writer binds them without a string per event.
    /// </summary>
    public static bool TryWriteUtf8(EventContext? context, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (context is null)
        {
            return false;
        }

        // The usual context names only a channel: its bytes are written once, not per event.
        if (context is { Device: null, Page: null, Campaign: null, RecommendationId: null, DecisionId: null })
        {
            if (context.Channel is null)
            {
                return false;
            }

            if (ChannelOnly.Bytes.TryGetValue(context.Channel, out var bytes))
            {
                utf8 = bytes;
                return true;
            }
        }

        utf8 = WriteUtf8With(context, WriteContext);
        return true;
    }

    /// <summary><c>{"channel":"web"}</c> and so on for each known channel, written by the same code as any context.</summary>
    private static class ChannelOnly
    {
        public static readonly Dictionary<string, byte[]> Bytes = Channels.All.ToDictionary(
            c => c,
            c => WriteUtf8With(new EventContext(Channel: c), WriteContext).ToArray(),
            StringComparer.Ordinal);
    }

    /// <inheritdoc cref="TryWriteUtf8(EventContext?, out ReadOnlySpan{byte})"/>
    public static bool TryWriteUtf8(IReadOnlyDictionary<string, JsonElement>? properties, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (properties is null || properties.Count == 0)
        {
            return false;
        }

        utf8 = WriteUtf8With(properties, WriteProperties);
        return true;
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

    private static string WriteWith<T>(T value, Action<Utf8JsonWriter, T> write) =>
        Encoding.UTF8.GetString(WriteUtf8With(value, write));

    private static ReadOnlySpan<byte> WriteUtf8With<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var w = t_writer;
        if (w is null)
        {
            w = t_writer = new Utf8JsonWriter(buffer);
        }
        else
        {
            w.Reset(buffer);
        }

        write(w, value);
        w.Flush();
        return buffer.WrittenSpan;
    }

    private static void WriteContext(Utf8JsonWriter w, EventContext c)
    {
        w.WriteStartObject();
        WriteIfSet(w, "channel", c.Channel);
        WriteIfSet(w, "device", c.Device);
        WriteIfSet(w, "page", c.Page);
        WriteIfSet(w, "campaign", c.Campaign);
        WriteIfSet(w, "recommendationId", c.RecommendationId);
        WriteIfSet(w, "decisionId", c.DecisionId);
        w.WriteEndObject();
    }

    private static void WriteProperties(Utf8JsonWriter w, IReadOnlyDictionary<string, JsonElement> p)
    {
        w.WriteStartObject();
        foreach (var (k, v) in p)
        {
            w.WritePropertyName(k);
            v.WriteTo(w);
        }

        w.WriteEndObject();
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
