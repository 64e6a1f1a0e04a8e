namespace Attune.Core.Expressions;

/// <summary>
/// The fields an expression may use, by dotted path (<c>price</c>, <c>rfm.recency_days</c>), and their types.
/// Paths may also be listed as unavailable with a reason (e.g. a catalog property whose JSON type varies),
/// so that the type checker can say why instead of "unknown field".
/// </summary>
public sealed class ExpressionSchema
{
    private readonly Dictionary<string, ExpressionType> _fields;
    private readonly Dictionary<string, string> _unavailable;

    public ExpressionSchema(
        IEnumerable<KeyValuePair<string, ExpressionType>> fields,
        IEnumerable<KeyValuePair<string, string>>? unavailable = null)
    {
        _fields = new Dictionary<string, ExpressionType>(StringComparer.Ordinal);
        foreach (var (path, type) in fields)
        {
            if (type.Kind == TypeKind.Null || (type.Element is { } e && e.Kind == TypeKind.Null))
            {
                throw new ArgumentException($"Field '{path}' cannot have type {type}.", nameof(fields));
            }

            if (!_fields.TryAdd(path, type))
            {
                throw new ArgumentException($"Field '{path}' is declared twice.", nameof(fields));
            }
        }

        _unavailable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, reason) in unavailable ?? [])
        {
            if (!_fields.ContainsKey(path))
            {
                _unavailable[path] = reason;
            }
        }
    }

    public IReadOnlyDictionary<string, ExpressionType> Fields => _fields;

    /// <summary>Paths that exist in the data but cannot be used, with the reason shown to the user.</summary>
    public IReadOnlyDictionary<string, string> Unavailable => _unavailable;

    public bool TryGetType(string path, out ExpressionType type) => _fields.TryGetValue(path, out type!);

    /// <summary>The closest known field names to a misspelt one (edit distance at most a third of its length, at least 1).</summary>
    public IReadOnlyList<string> Suggest(string path) => Suggestions.Closest(path, _fields.Keys);

    /// <summary>Known fields that start with <paramref name="path"/> followed by a dot: <c>rfm</c> gives <c>rfm.recency_days</c>.</summary>
    public IReadOnlyList<string> FieldsUnder(string path)
    {
        var prefix = path + ".";
        var result = new List<string>();
        foreach (var key in _fields.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                result.Add(key);
            }
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }
}

internal static class Suggestions
{
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates)
    {
        var limit = Math.Max(1, name.Length / 3);
        var best = int.MaxValue;
        var result = new List<string>();
        foreach (var candidate in candidates)
        {
            if (Math.Abs(candidate.Length - name.Length) > limit)
            {
                continue;
            }

            var d = Distance(name, candidate, limit);
            if (d > limit || d > best)
            {
                continue;
            }

            if (d < best)
            {
                best = d;
                result.Clear();
            }

            result.Add(candidate);
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent swaps), case-insensitive.</summary>
    private static int Distance(string a, string b, int limit)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return string.Equals(a, b, StringComparison.OrdinalIgnoreCase) ? 0 : limit + 1;
        }

        Span<int> prev2 = stackalloc int[b.Length + 1];
        Span<int> prev = stackalloc int[b.Length + 1];
        Span<int> cur = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    v = Math.Min(v, prev2[j - 2] + 1);
                }

                cur[j] = v;
            }

            var t = prev2;
            prev2 = prev;
            prev = cur;
            cur = t;
        }

        return prev[b.Length];
    }
}
