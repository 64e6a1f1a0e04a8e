using System.Text.Json;

namespace Attune.Core.Expressions;

/// <summary>How the compiled evaluator reads one field of a record: a typed getter, no reflection.</summary>
internal abstract class FieldBinding<TRecord>(ExpressionType type)
{
    public ExpressionType Type { get; } = type;
}

internal sealed class ValueBinding<TRecord, TValue>(ExpressionType type, Func<TRecord, TValue> get) : FieldBinding<TRecord>(type)
{
    public Func<TRecord, TValue> Get { get; } = get;
}

/// <summary>A field held as JSON (catalog properties, user attributes); <see cref="JsonValueKind.Undefined"/> means absent.</summary>
internal sealed class JsonBinding<TRecord>(ExpressionType type, Func<TRecord, JsonElement> get) : FieldBinding<TRecord>(type)
{
    public Func<TRecord, JsonElement> Get { get; } = get;
}

/// <summary>Conversions from JSON values; a value of the wrong JSON kind reads as missing, never as an error.</summary>
internal static class JsonValues
{
    public static double Number(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && double.IsFinite(d) ? d : double.NaN;

    public static string? String(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    public static bool? Bool(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public static DateTimeOffset? Time(JsonElement e) =>
        e.ValueKind == JsonValueKind.String && e.TryGetDateTimeOffset(out var t) ? t : null;

    public static IReadOnlyList<string>? StringList(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var result = new List<string>(e.GetArrayLength());
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                result.Add(item.GetString()!);
            }
        }

        return result;
    }

    public static IReadOnlyList<double>? NumberList(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var result = new List<double>(e.GetArrayLength());
        foreach (var item in e.EnumerateArray())
        {
            var d = Number(item);
            if (!double.IsNaN(d))
            {
                result.Add(d);
            }
        }

        return result;
    }

    public static IReadOnlyDictionary<string, double>? NumberMap(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            var d = Number(p.Value);
            if (!double.IsNaN(d))
            {
                result[p.Name] = d;
            }
        }

        return result;
    }

    public static IReadOnlyDictionary<string, string>? StringMap(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.String)
            {
                result[p.Name] = p.Value.GetString()!;
            }
        }

        return result;
    }

    /// <summary>The expression type a JSON value suggests; null for null, objects and mixed or empty arrays.</summary>
    public static ExpressionType? Infer(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return ExpressionType.String;
            case JsonValueKind.Number:
                return ExpressionType.Number;
            case JsonValueKind.True or JsonValueKind.False:
                return ExpressionType.Bool;
            case JsonValueKind.Array:
                ExpressionType? element = null;
                foreach (var item in e.EnumerateArray())
                {
                    var t = item.ValueKind switch
                    {
                        JsonValueKind.String => ExpressionType.String,
                        JsonValueKind.Number => ExpressionType.Number,
                        _ => null,
                    };
                    if (t is null || (element is not null && !element.Equals(t)))
                    {
                        return null;
                    }

                    element = t;
                }

                return element is null ? null : ExpressionType.ListOf(element);
            default:
                return null;
        }
    }
}
