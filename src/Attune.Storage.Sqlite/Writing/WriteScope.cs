namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// What one write request changed besides SQL rows: in-memory cache edits to undo if its savepoint (or the
/// whole group transaction) rolls back, and counter deltas to publish once the commit is durable.
/// </summary>
internal sealed class WriteScope
{
    private readonly List<Action> _requestUndo = [];
    private readonly List<Action> _batchUndo = [];

    /// <summary>Counter changes of the current request.</summary>
    public StatsDelta Request { get; } = new();

    /// <summary>Counter changes of every released request of the current transaction.</summary>
    public StatsDelta Batch { get; } = new();

    public void OnRollback(Action undo) => _requestUndo.Add(undo);

    public void BeginRequest()
    {
        _requestUndo.Clear();
        Request.Clear();
    }

    /// <summary>The request's savepoint was released: its effects now live or die with the transaction.</summary>
    public void ReleaseRequest()
    {
        _batchUndo.AddRange(_requestUndo);
        _requestUndo.Clear();
        Request.MergeInto(Batch);
        Request.Clear();
    }

    public void RollbackRequest()
    {
        RunReversed(_requestUndo);
        Request.Clear();
    }

    public void RollbackBatch()
    {
        RollbackRequest();
        RunReversed(_batchUndo);
        Batch.Clear();
    }

    public void Committed()
    {
        _batchUndo.Clear();
        Batch.Clear();
    }

    private static void RunReversed(List<Action> actions)
    {
        for (var i = actions.Count - 1; i >= 0; i--)
        {
            actions[i]();
        }

        actions.Clear();
    }
}

/// <summary>Changes to the event counters made by a request or a transaction.</summary>
internal sealed class StatsDelta
{
    public Dictionary<long, long> EventsByType { get; } = [];

    public long MinTs { get; private set; } = long.MaxValue;

    public long MaxTs { get; private set; } = long.MinValue;

    /// <summary>Events were removed that may have been the first or last: recompute the bounds from the log.</summary>
    public bool RecomputeBounds { get; set; }

    public bool IsEmpty => EventsByType.Count == 0 && !RecomputeBounds;

    public void AddEvent(long typeId, long ts)
    {
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(EventsByType, typeId, out _)++;
        if (ts < MinTs)
        {
            MinTs = ts;
        }

        if (ts > MaxTs)
        {
            MaxTs = ts;
        }
    }

    public void Add(long typeId, long count) =>
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(EventsByType, typeId, out _) += count;

    public void MergeInto(StatsDelta target)
    {
        foreach (var (t, n) in EventsByType)
        {
            target.Add(t, n);
        }

        target.MinTs = Math.Min(target.MinTs, MinTs);
        target.MaxTs = Math.Max(target.MaxTs, MaxTs);
        target.RecomputeBounds |= RecomputeBounds;
    }

    public void SetBounds(long min, long max)
    {
        MinTs = min;
        MaxTs = max;
    }

    public void Clear()
    {
        EventsByType.Clear();
        MinTs = long.MaxValue;
        MaxTs = long.MinValue;
        RecomputeBounds = false;
    }
}
