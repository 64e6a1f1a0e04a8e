using System.Threading.Channels;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// The single writer with group commit: callers queue requests; the loop drains every pending request into
/// one transaction, commits once, and completes all callers after that one fsync. Each request is
/// all-or-nothing: when one fails, the batch is redone with a savepoint per request so it rolls back alone.
/// </summary>
/// <remarks>
/// Group commit (DeWitt et al., "Implementation techniques for main memory database systems", SIGMOD 1984)
/// amortizes the fsync, which dominates the cost of a small durable transaction, over every request that
/// arrived while the previous commit was in flight. Cost per transaction: one BEGIN/COMMIT pair and one
/// fsync of the WAL; a batch in which a request fails costs a second attempt with two more statements
/// (SAVEPOINT/RELEASE) per request.
/// </remarks>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const int QueueCapacity = 16_384;

    // Bounded, so producers faster than the disk wait instead of queueing without limit.
    private readonly Channel<WriteRequest> _queue = Channel.CreateBounded<WriteRequest>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly WriterContext _context;
    private readonly int _maxEventsPerCommit;
    private readonly WriteScope _scope = new();
    private readonly List<WriteRequest> _batch = [];
    private readonly Task _loop;

    public SqliteWriter(WriterContext context, int maxEventsPerCommit)
    {
        _context = context;
        _maxEventsPerCommit = maxEventsPerCommit;
        _loop = Task.Run(RunAsync);
    }

    public Task<T> Enqueue<T>(Func<WriterContext, WriteScope, T> work, int weight, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = new WriteRequest<T>(work, weight, cancellationToken);
        return _queue.Writer.TryWrite(request) ? request.Task : EnqueueWhenRoomAsync(request, cancellationToken);
    }

    private async Task<T> EnqueueWhenRoomAsync<T>(WriteRequest<T> request, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SqliteStore), "The store is closed.");
        }

        return await request.Task;
    }

    /// <summary>Stops accepting requests, lets the loop commit everything queued, then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _context.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var weight = 0;
            _batch.Clear();
            while (weight < _maxEventsPerCommit && reader.TryRead(out var r))
            {
                if (r.CancellationToken.IsCancellationRequested)
                {
                    r.Fail(new OperationCanceledException(r.CancellationToken));
                    continue;
                }

                _batch.Add(r);
                weight += r.Weight;
            }

            if (_batch.Count > 0)
            {
                RunBatch();
            }
        }
    }

    private void RunBatch()
    {
        // Optimistic first: requests were validated before they were queued, so failures inside the
        // transaction are rare, and skipping a SAVEPOINT/RELEASE pair per request matters for single-event
        // appends. If one request fails, the whole attempt is rolled back and the batch runs again with a
        // savepoint per request, so the failing request rolls back alone.
        Exception? failure;
        if (!TryRunBatch(isolate: false, out failure) && failure is RequestFailedException)
        {
            TryRunBatch(isolate: true, out failure);
        }

        foreach (var r in _batch)
        {
            if (failure is not null)
            {
                r.Fail(failure);
            }
            else if (r.Error is { } error)
            {
                r.Fail(error);
            }
            else
            {
                r.Complete();
            }
        }
    }

    /// <returns>False when nothing of the batch was committed; <paramref name="failure"/> says why.</returns>
    private bool TryRunBatch(bool isolate, out Exception? failure)
    {
        failure = null;
        try
        {
            _context.Begin();
            foreach (var r in _batch)
            {
                r.Error = null;
                if (isolate)
                {
                    RunInSavepoint(r);
                }
                else
                {
                    RunDirect(r);
                }
            }

            _context.Commit(_scope.Batch);
            _scope.Committed();
            return true;
        }
        catch (Exception e)
        {
            try
            {
                _context.Rollback();
            }
            catch (Exception)
            {
                // The connection is already out of the transaction; the original error is the one to report.
            }

            _scope.RollbackBatch();
            failure = e;
            return false;
        }
    }

    private void RunDirect(WriteRequest r)
    {
        _scope.BeginRequest();
        try
        {
            r.Execute(_context, _scope);
        }
        catch (Exception e)
        {
            throw new RequestFailedException(e);
        }

        _scope.ReleaseRequest();
    }

    private void RunInSavepoint(WriteRequest r)
    {
        _scope.BeginRequest();
        _context.Savepoint();
        try
        {
            r.Execute(_context, _scope);
        }
        catch (Exception e)
        {
            r.Error = e;
            _context.RollbackToSavepoint();
            _scope.RollbackRequest();
            return;
        }

        _context.Release();
        _scope.ReleaseRequest();
    }

    /// <summary>A request (not the transaction machinery) failed during an optimistic attempt.</summary>
    private sealed class RequestFailedException(Exception inner) : Exception(inner.Message, inner);
}
