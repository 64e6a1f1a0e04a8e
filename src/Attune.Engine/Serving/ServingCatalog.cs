using Attune.Core;

namespace Attune.Engine.Serving;

/// <summary>
/// The catalog as the ranking stages see it: items by dense index, with each item's categories interned to
/// sorted integer ids so that category overlap and per-category caps compare integers, not strings.
/// Built once per catalog/model version and shared read-only by all requests.
/// </summary>
public sealed class ServingCatalog
{
    private readonly Item?[] _items;
    private readonly int[][] _categories;
    private readonly string[] _categoryNames;
    private readonly int[] _setIds;
    private readonly int _setCount;

    /// <param name="items">Item at each dense index; null where the index has no catalog entry (treated as unavailable).</param>
    public ServingCatalog(IReadOnlyList<Item?> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = new Item?[items.Count];
        _categories = new int[items.Count][];
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            _items[i] = item;
            if (item is null || item.Categories.Count == 0)
            {
                _categories[i] = [];
                continue;
            }

            var cats = new int[item.Categories.Count];
            for (var c = 0; c < cats.Length; c++)
            {
                var name = item.Categories[c];
                if (!ids.TryGetValue(name, out var id))
                {
                    id = names.Count;
                    ids.Add(name, id);
                    names.Add(name);
                }

                cats[c] = id;
            }

            Array.Sort(cats);
            _categories[i] = Dedupe(cats);
        }

        _categoryNames = [.. names];
        _setIds = InternSets(_categories, out _setCount);
    }

    public int Count => _items.Length;

    public int CategoryCount => _categoryNames.Length;

    /// <summary>The item at <paramref name="index"/>, or null when the index is outside the catalog or has no entry.</summary>
    public Item? this[int index] => (uint)index < (uint)_items.Length ? _items[index] : null;

    /// <summary>Sorted, distinct category ids of the item; empty for unknown indices.</summary>
    public ReadOnlySpan<int> Categories(int index) =>
        (uint)index < (uint)_categories.Length ? _categories[index] : [];

    /// <summary>
    /// Id of the item's category set: items with equal sets share it (0 is the empty set, also for unknown indices).
    /// Diversification groups candidates by it.
    /// </summary>
    public int CategorySetId(int index) => (uint)index < (uint)_setIds.Length ? _setIds[index] : 0;

    /// <summary>How many distinct category sets the catalog has (ids are 0 to this minus one).</summary>
    public int CategorySetCount => _setCount;

    public string CategoryName(int id) => _categoryNames[id];

    private static int[] InternSets(int[][] categories, out int count)
    {
        var ids = new int[categories.Length];
        var known = new Dictionary<int[], int>(SetComparer.Instance) { [[]] = 0 };
        for (var i = 0; i < categories.Length; i++)
        {
            if (categories[i].Length == 0)
            {
                continue;
            }

            if (!known.TryGetValue(categories[i], out var id))
            {
                id = known.Count;
                known.Add(categories[i], id);
            }

            ids[i] = id;
        }

        count = known.Count;
        return ids;
    }

    /// <summary>Sorted id arrays compared by content, without building a key per item.</summary>
    private sealed class SetComparer : IEqualityComparer<int[]>
    {
        public static SetComparer Instance { get; } = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj)
        {
            var hash = new HashCode();
            foreach (var id in obj)
            {
                hash.Add(id);
            }

            return hash.ToHashCode();
        }
    }

    private static int[] Dedupe(int[] sorted)
    {
        var n = 1;
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] != sorted[n - 1])
            {
                sorted[n++] = sorted[i];
            }
        }

        return n == sorted.Length ? sorted : sorted[..n];
    }
}
