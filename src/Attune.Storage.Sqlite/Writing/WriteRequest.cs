namespace Attune.Storage.Sqlite.Writing;

/// <summary>A unit of work for the single writer; it runs inside its own savepoint of a group transaction.</summary>
internal abstract class WriteRequest
{
    protected WriteRequest()
    {
    }

    protected WriteRequest(int weight, CancellationToken cancellationToken)
    {
        Weight = weight;
        CancellationToken = cancellationToken;
    }

    /// <summary>How many rows it writes, for bounding the size of one group commit.</summary>
    public int Weight { get; protected set; }

    public CancellationToken CancellationToken { get; protected set; }

    /// <summary>Set when the request failed (its savepoint rolled back, the transaction failed, or it was cancelled).</summary>
    public Exception? Error { get; set; }

    /// <summary>Completes the caller's task with the result, or with <see cref="Error"/> when set.</summary>
    public void Finish()
    {
        if (Error is { } error)
        {
            Fail(error);
        }
        else
        {
            Complete();
        }
    }

    public abstract void Execute(WriterContext context, WriteScope scope);

    public abstract void Complete();

    public abstract void Fail(Exception error);
}

internal sealed class WriteRequest<T>(Func<WriterContext, WriteScope, T> work, int weight, CancellationToken cancellationToken)
    : WriteRequest(weight, cancellationToken)
{
    // Continuations run inline where the task is completed: Completions runs them on pool threads, a slice of
    // the group per work item, never on the writer or syncer threads.
    private readonly TaskCompletionSource<T> _done = new();
    private T _result = default!;

    public Task<T> Task => _done.Task;

    public override void Execute(WriterContext context, WriteScope scope) => _result = work(context, scope);

    public override void Complete() => _done.TrySetResult(_result);

    public override void Fail(Exception error)
    {
        if (error is OperationCanceledException oce)
        {
            _done.TrySetCanceled(oce.CancellationToken);
        }
        else
        {
            _done.TrySetException(error);
        }
    }
}
