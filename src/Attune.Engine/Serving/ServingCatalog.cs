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
    }

    public int Count => _items.Length;

    public int CategoryCount => _categoryNames.Length;

    /// <summary>The item at <paramref name="index"/>, or null when the index is outside the catalog or has no entry.</summary>
    public Item? this[int index] => (uint)index < (uint)_items.Length ? _items[index] : null;

    /// <summary>Sorted, distinct category ids of the item; empty for unknown indices.</summary>
    public ReadOnlySpan<int> Categories(int index) =>
        (uint)index < (uint)_categories.Length ? _categories[index] : [];

    /// <summary>The same ids as <see cref="Categories"/>, as the shared array (callers must not write to it).</summary>
    internal int[] CategoryArray(int index) =>
        (uint)index < (uint)_categories.Length ? _categories[index] : [];

    public string CategoryName(int id) => _categoryNames[id];

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
