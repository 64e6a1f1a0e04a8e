using Attune.Algorithms.Data;

namespace Attune.Evaluation.Data;

/// <summary>Collects rows with string ids in file order, then freezes them into <see cref="Interactions"/>.</summary>
public sealed class InteractionsBuilder
{
    private readonly IdMap _users = new();
    private readonly IdMap _items = new();
    private readonly List<int> _user = [];
    private readonly List<int> _item = [];
    private readonly List<long> _time = [];
    private readonly List<float> _weight = [];
    private readonly Dictionary<string, string[]> _categories = new(StringComparer.Ordinal);

    public int Count => _user.Count;

    public void Add(string userId, string itemId, long timestampMs, float weight = 1f)
    {
        _user.Add(_users.GetOrAdd(userId));
        _item.Add(_items.GetOrAdd(itemId));
        _time.Add(timestampMs);
        _weight.Add(weight);
    }

    /// <summary>Remembers an item's categories; applied to the item only if it has interactions.</summary>
    public void SetCategories(string itemId, IReadOnlyList<string> categories)
    {
        if (categories.Count > 0)
        {
            _categories[itemId] = [.. categories];
        }
    }

    public Interactions Build()
    {
        ItemFeatures? features = null;
        if (_categories.Count > 0)
        {
            var n = _items.Count;
            var categories = new string[n][];
            for (var i = 0; i < n; i++)
            {
                categories[i] = _categories.TryGetValue(_items[i], out var c) ? c : [];
            }

            features = new ItemFeatures(new string?[n], new string?[n], categories, Enumerable.Repeat(Array.Empty<string>(), n).ToArray());
        }

        return new Interactions(_users, _items, [.. _user], [.. _item], [.. _time], [.. _weight], features);
    }
}
