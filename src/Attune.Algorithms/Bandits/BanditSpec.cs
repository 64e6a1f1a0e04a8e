using System.Globalization;

namespace Attune.Algorithms.Bandits;

/// <summary>
/// A parsed policy spec "name" or "name:key=value,key=value". A bare value after a comma continues the
/// previous key's list, so "fixed:weights=50,30,20" has one parameter weights="50,30,20". ';' also separates
/// parameters.
/// </summary>
public sealed record BanditSpec(string Name, IReadOnlyDictionary<string, string> Parameters)
{
    public static BanditSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = spec.Trim();
        if (text.Length == 0)
        {
            throw new FormatException("Policy spec is empty; expected e.g. \"thompson\" or \"linucb:alpha=1\".");
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (colon >= 0)
        {
            string? last = null;
            foreach (var raw in text[(colon + 1)..].Split([',', ';']))
            {
                var part = raw.Trim();
                if (part.Length == 0)
                {
                    continue;
                }

                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    if (last is null)
                    {
                        throw new FormatException($"Policy spec \"{spec}\": parameter \"{part}\" has no '=value'.");
                    }

                    parameters[last] += "," + part;
                    continue;
                }

                var key = part[..eq].Trim().ToLowerInvariant();
                if (key.Length == 0)
                {
                    throw new FormatException($"Policy spec \"{spec}\": a parameter has an empty name.");
                }

                if (!parameters.TryAdd(key, part[(eq + 1)..].Trim()))
                {
                    throw new FormatException($"Policy spec \"{spec}\": parameter {key} is given twice.");
                }

                last = key;
            }
        }

        return new BanditSpec(name, parameters);
    }

    internal double Double(string key, double fallback, Func<double, bool> valid, string rule)
    {
        if (!Parameters.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || !valid(value))
        {
            throw new FormatException($"Policy {Name}: {key}={text} {rule}.");
        }

        return value;
    }

    internal int Int(string key, int fallback, Func<int, bool> valid, string rule)
    {
        if (!Parameters.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || !valid(value))
        {
            throw new FormatException($"Policy {Name}: {key}={text} {rule}.");
        }

        return value;
    }

    internal double[]? Doubles(string key)
    {
        if (!Parameters.TryGetValue(key, out var text))
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]) || values[i] < 0)
            {
                throw new FormatException($"Policy {Name}: {key} value #{i + 1} \"{parts[i]}\" must be a finite number >= 0.");
            }
        }

        return values;
    }

    internal void RejectUnknown(params string[] known)
    {
        foreach (var key in Parameters.Keys)
        {
            if (Array.IndexOf(known, key) < 0)
            {
                var allowed = known.Length == 0 ? "none" : string.Join(", ", known);
                throw new FormatException($"Policy {Name} has no parameter \"{key}\" (allowed: {allowed}).");
            }
        }
    }
}
