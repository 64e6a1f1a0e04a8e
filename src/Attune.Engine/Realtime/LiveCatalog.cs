using Attune.Core;
using Attune.Core.Expressions;
using Attune.Engine.Serving;
using Attune.Storage;

namespace Attune.Engine.Realtime;

/// <summary>
/// The catalog as the live service sees it: every item id it has met (catalog items, items in events, items of a
/// model) gets a dense index that never changes for the life of the process, so ranked lists cached for paging stay
/// valid across catalog changes and model swaps. Item records are kept in memory; ranking reads an immutable
/// <see cref="CatalogSnapshot"/> rebuilt lazily after changes. Thread-safe.
/// </summary>
/// <remarks>
/// Interning is O(1) under a lock; a snapshot rebuild is O(items) and happens on the first request after a change,
/// by one thread while the others keep ranking on the previous snapshot (an item it does not know yet is treated as
/// unavailable for that request).
/// </remarks>
public sealed class LiveCatalog
{
    private const int PageSize = 5000;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private readonly List<Item?> _items = [];
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly Lock _rebuild = new();
    private long _version;
    private CatalogSnapshot? _snapshot;
    private volatile bool _loaded;

    /// <summary>Raised after items are added or replaced (not for bare ids met in events).</summary>
    public event Action<IReadOnlyList<Item>>? ItemsChanged;

    public bool IsLoaded => _loaded;

    /// <summary>Grows with every change of an item record (upsert, removal); a snapshot of this version holds them all.</summary>
    public long Version => Interlocked.Read(ref _version);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ids.Count;
            }
        }
    }

    /// <summary>Reads the whole catalog once (later changes arrive through <see cref="Upsert"/> and <see cref="Remove"/>).</summary>
    public async Task EnsureLoadedAsync(ICatalog catalog, CancellationToken cancellationToken = default)
    {
        if (_loaded)
        {
            return;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_loaded)
            {
                return;
            }

            string? cursor = null;
            do
            {
                var page = await catalog.ListAsync(cursor, PageSize, cancellationToken);
                Apply(page.Items, raise: false);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            _loaded = true;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>The item's index, or -1 when the id was never met.</summary>
    public int IndexOf(string id)
    {
        lock (_lock)
        {
            return _index.TryGetValue(id, out var i) ? i : -1;
        }
    }

    /// <summary>The item's index, assigning the next one to an id met for the first time.</summary>
    public int Intern(string id)
    {
        lock (_lock)
        {
            return InternLocked(id);
        }
    }

    /// <summary>Interns many ids under one lock (a model's item map at activation).</summary>
    public int[] InternAll(IReadOnlyList<string> ids)
    {
        var result = new int[ids.Count];
        lock (_lock)
        {
            for (var k = 0; k < result.Length; k++)
            {
                result[k] = InternLocked(ids[k]);
            }
        }

        return result;
    }

    public string IdOf(int index)
    {
        lock (_lock)
        {
            return _ids[index];
        }
    }

    /// <summary>The current record of an item (null when unknown or deleted), without waiting for a snapshot.</summary>
    public Item? Get(string id)
    {
        lock (_lock)
        {
            return _index.TryGetValue(id, out var i) ? _items[i] : null;
        }
    }

    public void Upsert(IReadOnlyList<Item> items) => Apply(items, raise: true);

    public void Remove(string id)
    {
        lock (_lock)
        {
            if (_index.TryGetValue(id, out var i) && _items[i] is not null)
            {
                _items[i] = null;
                _version++;
            }
        }
    }

    /// <summary>
    /// The latest snapshot. When the catalog changed since the last one, the caller rebuilds it, unless another
    /// thread is already doing so, in which case the previous snapshot is returned at once.
    /// </summary>
    public CatalogSnapshot Snapshot(TimeSpan newItemAge, DateTimeOffset now)
    {
        var current = Volatile.Read(ref _snapshot);
        if (current is not null && current.Version == Volatile.Read(ref _version))
        {
            return current;
        }

        if (current is not null && !_rebuild.TryEnter())
        {
            return current;
        }

        if (current is null)
        {
            _rebuild.Enter();
        }

        try
        {
            current = Volatile.Read(ref _snapshot);
            if (current is not null && current.Version == Volatile.Read(ref _version))
            {
                return current;
            }

            long version;
            Item?[] items;
            string[] ids;
            lock (_lock)
            {
                version = _version;
                items = [.. _items];
                ids = [.. _ids];
            }

            var built = new CatalogSnapshot(version, ids, items, newItemAge, now);
            Volatile.Write(ref _snapshot, built);
            return built;
        }
        finally
        {
            _rebuild.Exit();
        }
    }

    private void Apply(IReadOnlyList<Item> items, bool raise)
    {
        if (items.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var item in items)
            {
                _items[InternLocked(item.Id)] = item;
            }

            _version++;
        }

        if (raise)
        {
            ItemsChanged?.Invoke(items);
        }
    }

    private int InternLocked(string id)
    {
        if (_index.TryGetValue(id, out var i))
        {
            return i;
        }

        i = _ids.Count;
        _index.Add(id, i);
        _ids.Add(id);
        _items.Add(null);
        // A bare id has no record, so ranking would drop it anyway; no snapshot rebuild is needed for it.
        return i;
    }
}

/// <summary>An immutable view of the catalog for ranking: items by stable index, the expression schema, and the new items.</summary>
public sealed class CatalogSnapshot
{
    internal CatalogSnapshot(long version, string[] ids, Item?[] items, TimeSpan newItemAge, DateTimeOffset now)
    {
        Version = version;
        Ids = ids;
        Catalog = new ServingCatalog(items);
        var present = new List<Item>(items.Length);
        var fresh = new List<int>();
        var cutoff = now - newItemAge;
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is { } item)
            {
                present.Add(item);
                if (item.Available && item.Created is { } created && created >= cutoff)
                {
                    fresh.Add(i);
                }
            }
        }

        // Newest first, so "new in Z" candidates and the exploration pool favour the latest arrivals.
        fresh.Sort((a, b) => Nullable.Compare(items[b]!.Created, items[a]!.Created) is var c && c != 0 ? c : a.CompareTo(b));
        NewItems = [.. fresh];
        Binder = ItemSchema.Create(sample: present);
    }

    public long Version { get; }

    /// <summary>Item id at each index (ids without a record included).</summary>
    public IReadOnlyList<string> Ids { get; }

    public ServingCatalog Catalog { get; }

    public RecordBinder<Item> Binder { get; }

    /// <summary>Available items created within the configured age, newest first.</summary>
    public IReadOnlyList<int> NewItems { get; }

    public int Count => Ids.Count;
}
