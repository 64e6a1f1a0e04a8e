namespace Attune.Algorithms.Data;

/// <summary>Dense 0-based indices for external string ids, and back.</summary>
public sealed class IdMap
{
    private readonly Dictionary<string, int> _index;
    private readonly List<string> _ids;

    public IdMap()
    {
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        _ids = [];
    }

    public IdMap(IEnumerable<string> ids)
        : this()
    {
        foreach (var id in ids)
        {
            GetOrAdd(id);
        }
    }

    public int Count => _ids.Count;

    public IReadOnlyList<string> Ids => _ids;

    public string this[int index] => _ids[index];

    public int GetOrAdd(string id)
    {
        if (_index.TryGetValue(id, out var i))
        {
            return i;
        }

        i = _ids.Count;
        _index.Add(id, i);
        _ids.Add(id);
        return i;
    }

    /// <summary>The index of <paramref name="id"/>, or -1 when unknown.</summary>
    public int IndexOf(string id) => _index.TryGetValue(id, out var i) ? i : -1;
}
