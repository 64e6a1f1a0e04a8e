namespace Attune.Engine.Serving;

/// <summary>A full ranked list kept for paging.</summary>
public sealed record RankedList(string Id, Candidate[] Items, DateTimeOffset Expires);

/// <summary>
/// Bounded, thread-safe cache of ranked lists by recommendation id: least recently used lists are evicted beyond
/// <c>capacity</c>, and expired ones are never returned. Paging reads the list that the first page came from, so later
/// pages neither repeat nor skip items even when the model or catalog changes in between.
/// </summary>
public sealed class RankedListCache
{
    private readonly int _capacity;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, LinkedListNode<RankedList>> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<RankedList> _recency = new();
    private readonly Lock _lock = new();

    public RankedListCache(int capacity, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _clock = clock ?? TimeProvider.System;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    public void Add(RankedList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        lock (_lock)
        {
            if (_byId.Remove(list.Id, out var old))
            {
                _recency.Remove(old);
            }

            _byId[list.Id] = _recency.AddFirst(list);
            while (_byId.Count > _capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _byId.Remove(last.Value.Id);
            }
        }
    }

    public bool TryGet(string id, out RankedList list)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(id, out var node))
            {
                if (_clock.GetUtcNow() < node.Value.Expires)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    list = node.Value;
                    return true;
                }

                _recency.Remove(node);
                _byId.Remove(id);
            }
        }

        list = null!;
        return false;
    }
}
