using System.Collections.Concurrent;
using System.Diagnostics;
using Attune.Core;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// The single writer with group commit: callers queue requests; a dedicated thread drains every pending
/// request into one transaction, commits once, and completes all callers after that one fsync. Each request
/// is all-or-nothing: when one fails, the batch is redone with a savepoint per request so it rolls back alone.
/// </summary>
/// <remarks>
/// Group commit (DeWitt et al., "Implementation techniques for main memory database systems", SIGMOD 1984)
/// amortizes the fsync, which dominates the cost of a small durable transaction, over every request that
/// arrived while the previous commit was in flight. Cost per transaction: one BEGIN/COMMIT pair and one
/// fsync of the WAL; a batch in which a request fails costs a second attempt with two more statements
/// (SAVEPOINT/RELEASE) per request.
/// <para>
/// Linger: when a commit completes, its callers are all released at once and most of them send their next
/// request a moment later. Starting the next transaction at once would commit only the few requests that
/// were already waiting, and the rest would wait a whole extra fsync: batches alternate between large and
/// small and the fsync rate, not the callers, sets the pace. So when fewer requests are queued than the last
/// transaction completed, the writer waits for that many, at most half the last commit's duration (and at
/// most <see cref="MaxLinger"/>), like PostgreSQL's <c>commit_delay</c> but adaptive. A lone caller never
/// waits: the last transaction completed one request and one is queued. Nor does a writer after a group of large
/// requests (<see cref="LingerMaxEventsPerRequest"/> events or more on average): each keeps it busy for milliseconds,
/// and with the per-user index off its commits (UserEventIndex) waiting for the next one measured slower
/// (docs/benchmarks.md).
/// </para>
/// </remarks>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const int QueueCapacity = 16_384;
    private static readonly TimeSpan MaxLinger = TimeSpan.FromMilliseconds(2);

    /// <summary>Groups whose requests average this many events or more are not followed by a linger.</summary>
    private const int LingerMaxEventsPerRequest = 64;

    private readonly ConcurrentQueue<WriteRequest> _queue = new();
    // No spinning: the writer waits for requests or a commit's worth of linger (about a millisecond), and
    // spinning for that long would take a core from the threads that parse the requests it waits for.
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 1);
    private readonly WriterContext _context;
    private readonly WalSyncer? _syncer;
    private readonly WalCheckpointer? _checkpointer;
    private readonly List<WriteRequest> _committed = [];
    private readonly List<WriteRequest> _finished = [];
    private readonly int _maxEventsPerCommit;
    private readonly WriteScope _scope = new();
    private readonly List<WriteRequest> _batch = [];
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private long _batchEvents;
    private int _wakeAt = int.MaxValue;
    private int _sleeping;
    private int _closed;
    private int _exited;

    /// <param name="syncer">Where committed requests wait for their fsync; null when COMMIT itself is as
    /// durable as configured (the requests complete right after it).</param>
    /// <param name="checkpointer">The background checkpointer that asks this writer for a final pass between
    /// transactions when the log should restart from its start; null for none.</param>
    public SqliteWriter(WriterContext context, int maxEventsPerCommit, WalSyncer? syncer = null, WalCheckpointer? checkpointer = null)
    {
        _context = context;
        _syncer = syncer;
        _checkpointer = checkpointer;
        _maxEventsPerCommit = maxEventsPerCommit;
        _thread = new Thread(Run) { IsBackground = true, Name = "attune-sqlite-writer" };
        _thread.Start();
    }

    /// <summary>Where committed requests wait for their fsync, if anywhere (tests observe it).</summary>
    internal WalSyncer? Syncer => _syncer;

    public Task<T> Enqueue<T>(Func<WriterContext, WriteScope, T> work, int weight, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, typeof(SqliteStore));
        var request = new WriteRequest<T>(work, weight, cancellationToken);

        // Bounded, so producers faster than the disk wait instead of queueing without limit.
        if (Volatile.Read(ref _count) < QueueCapacity)
        {
            Add(request);
            return request.Task;
        }

        return EnqueueWhenRoomAsync(request, cancellationToken);
    }

    /// <summary>Appends events through a pooled request (no task or closure per call; see <see cref="AppendRequest"/>).</summary>
    public ValueTask<AppendResult> EnqueueAppend(IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, typeof(SqliteStore));
        if (Volatile.Read(ref _count) >= QueueCapacity)
        {
            return EnqueueAppendWhenRoomAsync(events, cancellationToken);
        }

        var request = AppendRequest.Rent(events, cancellationToken);
        var task = request.Task;
        Add(request);
        return task;
    }

    /// <summary>Stops accepting requests, lets the writer commit everything queued, then closes.</summary>

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        _signal.Set();
        await _stopped.Task;
        _syncer?.Dispose();
        _context.Dispose();
        _signal.Dispose();
    }

    private void Add(WriteRequest request)
    {
        _queue.Enqueue(request);
        if (Interlocked.Increment(ref _count) >= Volatile.Read(ref _wakeAt) && Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            _signal.Set();
        }

        if (Volatile.Read(ref _exited) != 0)
        {
            // The writer stopped between our check and our enqueue: it will not see this request.
            FailQueued();
        }
    }

    private async Task<T> EnqueueWhenRoomAsync<T>(WriteRequest<T> request, CancellationToken cancellationToken)
    {
        await WaitForRoomAsync(cancellationToken);
        Add(request);
        return await request.Task;
    }

    private async ValueTask<AppendResult> EnqueueAppendWhenRoomAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        await WaitForRoomAsync(cancellationToken);
        var request = AppendRequest.Rent(events, cancellationToken);
        var task = request.Task;
        Add(request);
        return await task;
    }

    private async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _count) >= QueueCapacity)
        {
            await Task.Delay(1, cancellationToken);
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, typeof(SqliteStore));
        }
    }

    private void Run()
    {
        try
        {
            var expected = 0;
            var lastCommit = TimeSpan.Zero;
            while (true)
            {
                if (!WaitFor(1, Timeout.InfiniteTimeSpan))
                {
                    break;
                }

                if (expected > 1 && Volatile.Read(ref _count) < expected)
                {
                    WaitFor(expected, TimeSpan.FromTicks(Math.Min(lastCommit.Ticks / 2, MaxLinger.Ticks)));
                }

                if (_checkpointer is not null)
                {
                    // Between transactions no frame can be added, so a final pass copies the whole log and the next
                    // transaction writes it from its start (WalCheckpointer).
                    try
                    {
                        _checkpointer.RunFinalPassIfRequested(_context.Connection);
                    }
                    catch (Microsoft.Data.Sqlite.SqliteException)
                    {
                        // A transient I/O error: the log keeps growing until a later pass succeeds.
                    }
                }

                Drain();
                Completions.Dispatch(_finished);
                _finished.Clear();
                if (_batch.Count > 0)
                {
                    var start = Stopwatch.GetTimestamp();
                    RunBatch();
                    lastCommit = Stopwatch.GetElapsedTime(start);

                    // Linger only after groups of small requests (see the remarks): a few large requests keep the
                    // writer busy on their own, and waiting for the next one only leaves it idle.
                    expected = _batchEvents < LingerMaxEventsPerRequest * _batch.Count ? _batch.Count : 0;
                    _batch.Clear();
                }
            }
        }
        finally
        {
            Interlocked.Exchange(ref _exited, 1);
            FailQueued();
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Blocks until at least <paramref name="target"/> requests are queued or <paramref name="timeout"/> passed.
    /// </summary>
    /// <returns>False when the writer is closed and nothing is left to write.</returns>
    private bool WaitFor(int target, TimeSpan timeout)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Volatile.Read(ref _count) < target)
        {
            if (Volatile.Read(ref _closed) != 0)
            {
                return Volatile.Read(ref _count) > 0;
            }

            var now = Stopwatch.GetTimestamp();
            if (now >= deadline)
            {
                return true;
            }

            _signal.Reset();
            Volatile.Write(ref _wakeAt, target);
            Interlocked.Exchange(ref _sleeping, 1);

            // Re-check after announcing the sleep: a producer that enqueued before it saw the flag did not signal.
            if (Volatile.Read(ref _count) < target && Volatile.Read(ref _closed) == 0)
            {
                var wait = deadline == long.MaxValue ? Timeout.Infinite : (int)Math.Max(1, (deadline - now) * 1000 / Stopwatch.Frequency);
                _signal.Wait(wait);
            }

            Interlocked.Exchange(ref _sleeping, 0);
            Volatile.Write(ref _wakeAt, int.MaxValue);
        }

        return true;
    }

    private void Drain()
    {
        var weight = 0;
        _batchEvents = 0;
        while (weight < _maxEventsPerCommit && _queue.TryDequeue(out var r))
        {
            Interlocked.Decrement(ref _count);
            if (r.CancellationToken.IsCancellationRequested)
            {
                r.Error = new OperationCanceledException(r.CancellationToken);
                _finished.Add(r);
                continue;
            }

            _batch.Add(r);
            weight += r.Weight;
            _batchEvents += r.Weight;
        }
    }

    private void FailQueued()
    {
        while (_queue.TryDequeue(out var r))
        {
            Interlocked.Decrement(ref _count);
            r.Error = new ObjectDisposedException(nameof(SqliteStore), "The store is closed.");
            r.Finish();
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
                r.Error = failure;
            }

            if (r.Error is null && _syncer is not null)
            {
                _committed.Add(r);
            }
            else
            {
                _finished.Add(r);
            }
        }

        if (_committed.Count > 0)
        {
            _syncer!.Add(_committed);
            _committed.Clear();
        }

        Completions.Dispatch(_finished);
        _finished.Clear();
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
