namespace Attune.Datasets.Parsing;

/// <summary>
/// Returns one shared string per distinct id seen recently, so a user id repeated on a million rows is
/// allocated once. Bounded: it forgets everything when full, which keeps memory constant on huge files.
/// </summary>
public sealed class StringPool
{
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _capacity;

    public StringPool(int capacity = 200_000)
    {
        _capacity = capacity;
        _lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Get(ReadOnlySpan<char> text)
    {
        if (_lookup.TryGetValue(text, out var s))
        {
            return s;
        }

        if (_pool.Count >= _capacity)
        {
            _pool.Clear();
        }

        s = text.ToString();
        _pool[s] = s;
        return s;
    }
}

/// <summary>A bounded set of ids already emitted (e.g. items seen in an event file), forgotten when full.</summary>
public sealed class SeenSet
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly int _capacity;

    public SeenSet(int capacity = 1_000_000) => _capacity = capacity;

    /// <summary>True the first time an id is added (or again after the set was forgotten).</summary>
    public bool Add(string id)
    {
        if (_seen.Count >= _capacity && !_seen.Contains(id))
        {
            _seen.Clear();
        }

        return _seen.Add(id);
    }
}
