using System.Threading.Channels;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// The single writer with group commit: callers queue requests; the loop drains every pending request into
/// one transaction, gives each its own savepoint (so a failing request rolls back alone), commits once, and
/// completes all callers after that one fsync.
/// </summary>
/// <remarks>
/// Group commit (DeWitt et al., "Implementation techniques for main memory database systems", SIGMOD 1984)
/// amortizes the fsync, which dominates the cost of a small durable transaction, over every request that
/// arrived while the previous commit was in flight. Cost per transaction: one BEGIN/COMMIT pair and one
/// fsync of the WAL, plus two statements (SAVEPOINT/RELEASE) per request.
/// </remarks>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<WriteRequest> _queue =
        Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });

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
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(SqliteStore), "The store is closed.");
        }

        return request.Task;
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
        try
        {
            _context.Begin();
            foreach (var r in _batch)
            {
                RunInSavepoint(r);
            }

            _context.Commit(_scope.Batch);
            _scope.Committed();
        }
        catch (Exception e)
        {
            // BEGIN, a savepoint statement or COMMIT failed (disk full, I/O error): nothing of the batch is durable.
            try
            {
                _context.Rollback();
            }
            catch (Exception)
            {
                // The connection is already out of the transaction; the original error is the one to report.
            }

            _scope.RollbackBatch();
            foreach (var r in _batch)
            {
                r.Fail(e);
            }

            return;
        }

        foreach (var r in _batch)
        {
            if (r.Error is { } error)
            {
                r.Fail(error);
            }
            else
            {
                r.Complete();
            }
        }
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
}
