using System.Globalization;
using Attune.Core;

namespace Attune.Datasets.Parsing;

/// <summary>Parsers for single fields that say, on failure, what was wrong in words.</summary>
public static class Fields
{
    public static bool TryId(ReadOnlySpan<char> text, string what, StringPool pool, out string id, out string? error)
    {
        text = text.Trim();
        if (text.IsEmpty)
        {
            id = string.Empty;
            error = $"{what} is empty";
            return false;
        }

        if (text.Length > Ids.MaxLength)
        {
            id = string.Empty;
            error = $"{what} is longer than {Ids.MaxLength} characters";
            return false;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                id = string.Empty;
                error = $"{what} contains a control character";
                return false;
            }
        }

        id = pool.Get(text);
        error = null;
        return true;
    }

    public static bool TryDouble(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public static bool TryLong(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    /// <summary>Unix seconds as written by MovieLens and Taobao.</summary>
    public static bool TryUnixSeconds(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        if (TryLong(text, out var s) && s is >= -62_135_596_800 and <= 253_402_300_799)
        {
            value = DateTimeOffset.FromUnixTimeSeconds(s);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// A timestamp in any of the forms datasets use: Unix seconds (or milliseconds when the number is past
    /// year 5000 as seconds), RFC 3339 / ISO 8601, or <c>yyyy-MM-dd HH:mm:ss UTC</c>. Times without a zone are UTC.
    /// </summary>
    public static bool TryTimestamp(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        text = text.Trim();
        if (text.IsEmpty)
        {
            value = default;
            return false;
        }

        if (TryLong(text, out var n))
        {
            if (Math.Abs(n) >= 100_000_000_000)
            {
                if (n is >= -62_135_596_800_000 and <= 253_402_300_799_999)
                {
                    value = DateTimeOffset.FromUnixTimeMilliseconds(n);
                    return true;
                }

                value = default;
                return false;
            }

            value = DateTimeOffset.FromUnixTimeSeconds(n);
            return true;
        }

        if (TryDouble(text, out var seconds) && Math.Abs(seconds) < 100_000_000_000)
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            return true;
        }

        if (text.EndsWith(" UTC", StringComparison.Ordinal))
        {
            text = text[..^4];
        }

        return DateTimeOffset.TryParse(
            text,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces,
            out value);
    }

    /// <summary>Shortens a field for an error message.</summary>
    public static string Quote(ReadOnlySpan<char> text)
    {
        const int Max = 40;
        return text.Length <= Max ? $"'{text}'" : $"'{text[..Max]}...'";
    }
}
