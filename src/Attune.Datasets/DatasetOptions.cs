using System.Globalization;

namespace Attune.Datasets;

/// <summary>Format options as name/value strings (from the command line or code), with typed accessors.</summary>
public sealed class DatasetOptions
{
    private readonly Dictionary<string, string> _values;

    public DatasetOptions(IEnumerable<KeyValuePair<string, string>>? values = null)
    {
        _values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in values ?? [])
        {
            _values[k] = v;
        }
    }

    public static DatasetOptions Empty { get; } = new();

    public IReadOnlyDictionary<string, string> Values => _values;

    public DatasetOptions With(string name, string value)
    {
        var copy = new DatasetOptions(_values);
        copy._values[name] = value;
        return copy;
    }

    /// <summary>Throws when an option is not one the format knows, naming the ones it does.</summary>
    public void Validate(IDatasetFormat format)
    {
        foreach (var key in _values.Keys)
        {
            var known = false;
            foreach (var o in format.Options)
            {
                if (string.Equals(o.Name, key, StringComparison.OrdinalIgnoreCase))
                {
                    known = true;
                    break;
                }
            }

            if (!known)
            {
                var names = format.Options.Count == 0 ? "none" : string.Join(", ", format.Options.Select(o => o.Name));
                throw new DatasetException($"Format '{format.Name}' has no option '{key}' (its options: {names}).");
            }
        }
    }

    public string? GetString(string name) => _values.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public bool GetBool(string name, bool defaultValue)
    {
        var v = GetString(name);
        if (v is null)
        {
            return defaultValue;
        }

        return v.ToLowerInvariant() switch
        {
            "true" or "yes" or "1" or "on" => true,
            "false" or "no" or "0" or "off" => false,
            _ => throw new DatasetException($"Option '{name}' must be true or false, not '{v}'."),
        };
    }

    public int GetInt(string name, int defaultValue, int min = int.MinValue)
    {
        var v = GetString(name);
        if (v is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min)
        {
            throw new DatasetException($"Option '{name}' must be an integer >= {min}, not '{v}'.");
        }

        return n;
    }
}
