namespace Attune.Numerics.Ann;

/// <summary>
/// Per-thread search state: a visited set stamped with a generation counter (so it is never cleared
/// between queries) and the two heaps. One per thread keeps concurrent searches lock-free and allocation-free.
/// </summary>
internal sealed class SearchScratch
{
    [ThreadStatic]
    private static SearchScratch? t_current;

    private int[] _visited = [];
    private int _generation;

    public DistanceHeap Candidates { get; } = new(maxHeap: false, capacity: 64);

    public DistanceHeap Results { get; } = new(maxHeap: true, capacity: 64);

    public static SearchScratch Rent(int count)
    {
        var s = t_current ??= new SearchScratch();
        s.Begin(count);
        return s;
    }

    public void Begin(int count)
    {
        if (_visited.Length < count)
        {
            _visited = new int[count];
            _generation = 0;
        }

        if (++_generation == int.MaxValue)
        {
            Array.Clear(_visited);
            _generation = 1;
        }

        Candidates.Clear();
        Results.Clear();
    }

    /// <summary>Marks <paramref name="id"/> visited; returns false when it already was in this generation.</summary>
    public bool Visit(int id)
    {
        if (_visited[id] == _generation)
        {
            return false;
        }

        _visited[id] = _generation;
        return true;
    }
}
