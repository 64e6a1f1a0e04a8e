using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Attune.Engine.Ingestion;

/// <summary>
/// Reads and checks single field values. Each reader leaves <paramref name="reader"/> on the last token of the
/// value, records an error naming the field on failure, and returns false; the caller keeps going so one
/// response lists every bad field.
/// </summary>
internal static class JsonFields
{
    /// <summary>1970-01-01 to 9999-12-31 in Unix seconds: what both timestamp forms may express.</summary>
    private const double MaxUnixSeconds = 253_402_300_799;

    public static bool TryReadString(ref Utf8JsonReader reader, ParseContext ctx, string field, int maxLength, bool isId, out string? value)
    {
        value = null;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            ctx.Add(field, $"must be a string, not {Describe(reader.TokenType)}.");
            SkipValue(ref reader);
            return false;
        }

        // The usual id is short printable ASCII in one segment without escapes: no transcoding and no character
        // check are needed, one widening copy makes the string.
        if (isId && !reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            if (span.Length > 0 && span.Length <= maxLength && !span.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
            {
                value = Encoding.Latin1.GetString(span);
                return true;
            }
        }

        // An escaped character takes at most 6 bytes (\uXXXX): refuse a huge value before allocating it.
        var raw = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (raw > (long)maxLength * 6)
        {
            ctx.Add(field, $"is longer than {maxLength} characters.");
            return false;
        }

        string s;
        try
        {
            s = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            ctx.Add(field, "is not valid UTF-8.");
            return false;
        }

        if (s.Length > maxLength)
        {
            ctx.Add(field, $"is longer than {maxLength} characters.");
            return false;
        }

        if (isId && s.Length == 0)
        {
            ctx.Add(field, "must not be empty.");
            return false;
        }

        var problem = isId ? CheckIdChars(s) : CheckTextChars(s);
        if (problem is not null)
        {
            ctx.Add(field, problem);
            return false;
        }

        value = s;
        return true;
    }

    /// <summary>Like <see cref="TryReadString"/> but JSON null reads as a null value.</summary>
    public static bool TryReadOptionalString(ref Utf8JsonReader reader, ParseContext ctx, string field, int maxLength, bool isId, out string? value)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            value = null;
            return true;
        }

        return TryReadString(ref reader, ctx, field, maxLength, isId, out value);
    }

    public static bool TryReadNumber(ref Utf8JsonReader reader, ParseContext ctx, string field, out double? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            ctx.Add(field, $"must be a number, not {Describe(reader.TokenType)}.");
            SkipValue(ref reader);
            return false;
        }

        if (!reader.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            ctx.Add(field, "must be a finite number.");
            return false;
        }

        value = d;
        return true;
    }

    public static bool TryReadBool(ref Utf8JsonReader reader, ParseContext ctx, string field, out bool? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                value = true;
                return true;
            case JsonTokenType.False:
                value = false;
                return true;
            case JsonTokenType.Null:
                return true;
            default:
                ctx.Add(field, $"must be true or false, not {Describe(reader.TokenType)}.");
                SkipValue(ref reader);
                return false;
        }
    }

    /// <summary>An RFC 3339 string with a time zone, or a number of Unix seconds.</summary>
    public static bool TryReadTimestamp(ref Utf8JsonReader reader, ParseContext ctx, string field, bool checkFuture, out DateTimeOffset? value)
    {
        value = null;
        DateTimeOffset t;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds < 0 || seconds > MaxUnixSeconds)
                {
                    ctx.Add(field, "must be Unix seconds between 0 and 253402300799.");
                    return false;
                }

                t = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
                break;
            case JsonTokenType.String:
                if (!TryReadString(ref reader, ctx, field, 64, isId: false, out var text))
                {
                    return false;
                }

                if (!TryParseRfc3339(text!, out t))
                {
                    ctx.Add(field, "must be an RFC 3339 date-time with a time zone (2024-05-01T12:00:00Z) or Unix seconds.");
                    return false;
                }

                break;
            default:
                ctx.Add(field, $"must be an RFC 3339 string or Unix seconds, not {Describe(reader.TokenType)}.");
                SkipValue(ref reader);
                return false;
        }

        if (t.UtcTicks < DateTimeOffset.UnixEpoch.UtcTicks)
        {
            ctx.Add(field, "must not be before 1970-01-01T00:00:00Z.");
            return false;
        }

        if (checkFuture && t > ctx.Now + ctx.Limits.MaxFutureSkew)
        {
            ctx.Add(field, $"is more than {ctx.Limits.MaxFutureSkew} in the future (server time {ctx.Now:O}).");
            return false;
        }

        value = t.ToUniversalTime();
        return true;
    }

    /// <summary>
    /// An object of string, number or boolean values (<c>properties</c>, <c>attributes</c>), each kept as its JSON.
    /// </summary>
    public static bool TryReadScalarMap(ref Utf8JsonReader reader, ParseContext ctx, string field, out IReadOnlyDictionary<string, JsonElement>? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            ctx.Add(field, $"must be an object, not {Describe(reader.TokenType)}.");
            SkipValue(ref reader);
            return false;
        }

        var ok = true;
        var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!TryReadString(ref reader, ctx, field, ctx.Limits.MaxIdLength, isId: true, out var key))
            {
                reader.Read();
                SkipValue(ref reader);
                ok = false;
                continue;
            }

            var path = field + "." + key;
            reader.Read();
            if (map.Count >= ctx.Limits.MaxPropertyCount)
            {
                if (ok)
                {
                    ctx.Add(field, $"has more than {ctx.Limits.MaxPropertyCount} entries.");
                }

                ok = false;
                SkipValue(ref reader);
                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    var probe = reader;
                    if (!TryReadString(ref probe, ctx, path, ctx.Limits.MaxStringLength, isId: false, out _))
                    {
                        ok = false;
                        continue;
                    }

                    break;
                case JsonTokenType.Number:
                    if (!reader.TryGetDouble(out var d) || !double.IsFinite(d))
                    {
                        ctx.Add(path, "must be a finite number.");
                        ok = false;
                        continue;
                    }

                    break;
                case JsonTokenType.True:
                case JsonTokenType.False:
                    break;
                default:
                    ctx.Add(path, $"must be a string, number or boolean, not {Describe(reader.TokenType)}.");
                    SkipValue(ref reader);
                    ok = false;
                    continue;
            }

            if (!map.TryAdd(key!, JsonElement.ParseValue(ref reader)))
            {
                ctx.Add(path, "appears twice.");
                ok = false;
            }
        }

        value = ok ? map : null;
        return ok;
    }

    /// <summary>An array of short strings (<c>categories</c>, <c>tags</c>).</summary>
    public static bool TryReadStringList(ref Utf8JsonReader reader, ParseContext ctx, string field, out IReadOnlyList<string>? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            ctx.Add(field, $"must be an array of strings, not {Describe(reader.TokenType)}.");
            SkipValue(ref reader);
            return false;
        }

        var ok = true;
        var list = new List<string>();
        var i = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (i >= ctx.Limits.MaxPropertyCount)
            {
                if (i == ctx.Limits.MaxPropertyCount)
                {
                    ctx.Add(field, $"has more than {ctx.Limits.MaxPropertyCount} entries.");
                }

                ok = false;
                SkipValue(ref reader);
                i++;
                continue;
            }

            if (TryReadString(ref reader, ctx, $"{field}[{i}]", ctx.Limits.MaxIdLength, isId: true, out var s))
            {
                list.Add(s!);
            }
            else
            {
                ok = false;
            }

            i++;
        }

        value = ok ? list : null;
        return ok;
    }

    /// <summary>Skips the value the reader is on (a no-op for a scalar).</summary>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.PropertyName)
        {
            reader.Skip();
        }
    }

    public static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => t.ToString(),
    };

    /// <summary>Returns a message when the id has control characters or broken surrogate pairs.</summary>
    public static string? CheckIdChars(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c < 0x20 || c is >= '\u007f' and <= '\u009f')
            {
                return "must not contain control characters.";
            }

            if (char.IsSurrogate(c) && !IsPairAt(s, ref i))
            {
                return "contains an unpaired UTF-16 surrogate.";
            }
        }

        return null;
    }

    /// <summary>Text may hold newlines and tabs but no other control characters or broken surrogates.</summary>
    public static string? CheckTextChars(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if ((c < 0x20 && c is not ('\n' or '\r' or '\t')) || c == '\0')
            {
                return "must not contain control characters other than tab and newline.";
            }

            if (char.IsSurrogate(c) && !IsPairAt(s, ref i))
            {
                return "contains an unpaired UTF-16 surrogate.";
            }
        }

        return null;
    }

    private static bool IsPairAt(string s, ref int i)
    {
        if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            i++;
            return true;
        }

        return false;
    }

    private static bool TryParseRfc3339(string text, out DateTimeOffset value)
    {
        value = default;
        // RFC 3339 needs a date, 'T' (or space), a time and a zone: 'Z' or +hh:mm.
        if (text.Length < 20 || (text[10] is not ('T' or 't' or ' ')))
        {
            return false;
        }

        var last = text[^1];
        var hasZone = last is 'Z' or 'z' || (text.Length >= 25 && text[^3] == ':' && text[^6] is '+' or '-');
        return hasZone && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out value);
    }
}
