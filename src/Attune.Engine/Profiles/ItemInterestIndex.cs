using System.Collections.Concurrent;
using System.Text.Json;
using Attune.Core;

namespace Attune.Engine.Profiles;

/// <summary>
/// For each catalog item, the values of the interest fields (<c>category</c>, <c>tag</c>, item properties such as
/// <c>brand</c>), interned, so profiles can turn per-item affinities into per-value ones when a snapshot is taken.
/// Profiles keep per-item weights and join with this index at snapshot time, so a catalog change is reflected at once
/// and a rebuild from the log gives the same interests as the live path.
/// </summary>
public sealed class ItemInterestIndex
{
    private static readonly string[][] NoKeys = [];
    private readonly ConcurrentDictionary<string, string[][]> _items = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _intern = new(StringComparer.Ordinal);

    public ItemInterestIndex(IReadOnlyList<string> fields)
    {
        Fields = fields;
    }

    /// <summary>The interest field names, in the order of the arrays <see cref="Get"/> returns.</summary>
    public IReadOnlyList<string> Fields { get; }

    public int Count => _items.Count;

    /// <summary>The values of each field for the item (index = field position); empty arrays when the item is unknown.</summary>
    public string[][] Get(string itemId) => _items.TryGetValue(itemId, out var keys) ? keys : NoKeys;

    public void Upsert(Item item) => _items[item.Id] = Extract(item);

    public void Remove(string itemId) => _items.TryRemove(itemId, out _);

    public void Clear() => _items.Clear();

    private string[][] Extract(Item item)
    {
        var result = new string[Fields.Count][];
        for (var f = 0; f < Fields.Count; f++)
        {
            result[f] = Fields[f] switch
            {
                "category" or "categories" => Intern(item.Categories),
                "tag" or "tags" => Intern(item.Tags),
                var name => FromProperty(item, name),
            };
        }

        return result;
    }

    private string[] FromProperty(Item item, string name)
    {
        if (!item.Properties.TryGetValue(name, out var value))
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return [Intern(value.GetString()!)];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<string>();
        foreach (var e in value.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                list.Add(e.GetString()!);
            }
        }

        return Intern(list);
    }

    private string[] Intern(IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return [];
        }

        // A value listed twice on one item counts once.
        var distinct = new List<string>(values.Count);
        foreach (var v in values)
        {
            var s = Intern(v);
            if (!distinct.Contains(s))
            {
                distinct.Add(s);
            }
        }

        return [.. distinct];
    }

    private string Intern(string value) => _intern.GetOrAdd(value, value);
}
