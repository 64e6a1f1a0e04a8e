using System.Collections.Frozen;

namespace Attune.Core.Expressions;

/// <summary>The items of a list literal, looked up by linear scan when short and by a frozen hash set when long.</summary>
internal sealed class ConstantSet<TValue>
    where TValue : notnull
{
    private const int ScanLimit = 8;
    private readonly FrozenSet<TValue>? _set;

    public ConstantSet(TValue[] items)
    {
        Items = items;
        if (items.Length > ScanLimit)
        {
            _set = items.ToFrozenSet();
        }
    }

    public TValue[] Items { get; }

    public bool IsSmall => _set is null;

    public bool Contains(TValue value)
    {
        if (_set is not null)
        {
            return _set.Contains(value);
        }

        foreach (var item in Items)
        {
            if (EqualityComparer<TValue>.Default.Equals(item, value))
            {
                return true;
            }
        }

        return false;
    }
}
