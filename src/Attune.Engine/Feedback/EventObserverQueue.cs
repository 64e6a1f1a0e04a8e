using Attune.Core;
using Attune.Storage;

namespace Attune.Engine.Feedback;

/// <summary>
/// Takes the <see cref="EventFeed"/>'s fan-out off the ingestion response path: stored events are queued, in
/// order, to one background thread that hands them to every observer, so a durable append is acknowledged
/// without waiting for live profiles and serving state to be updated.
/// </summary>
/// <remarks>
/// <para>Bounded in events (<see cref="Capacity"/>): a publisher that finds the queue full waits, asynchronously,
/// until the thread has applied enough to make room, so the backlog (memory, and how stale reads may be) stays
/// bounded and no event is ever dropped. One batch larger than the capacity is admitted alone, when the queue is
/// empty.</para>
/// <para>Each admitted batch gets a sequence number. <see cref="Published"/> is the last number handed out and
/// <see cref="Applied"/> the last one every observer has seen; a reader that must see everything acknowledged
/// before it (read-your-writes) waits with <see cref="WaitForAsync"/> for <c>Applied &gt;= Published</c> as read
/// on arrival, which costs two volatile reads when the thread keeps up.</para>
/// <para>Observers are called from this one thread only, one batch at a time in admission order. An observer
/// that throws is reported to the error callback and the thread goes on: the events are stored.</para>
/// <para><see cref="Dispose"/> stops admitting to the queue, applies everything admitted or waiting for room, and
/// joins the thread; a batch published after that is applied on the caller's thread.</para>
/// </remarks>
public sealed class EventObserverQueue : IDisposable
{
    /// <summary>Default bound: a few tenths of a second of observer work at the rates measured on two cores.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly EventFeed _feed;
    private readonly Action<Exception>? _onError;
    private readonly object _gate = new();
    private readonly Queue<Batch> _queue = new();
    private readonly Queue<Pending> _waiting = new();
    private readonly List<(long Sequence, TaskCompletionSource Done)> _drainWaiters = [];
    private readonly Thread? _thread;
    private int _queuedEvents;
    private long _published;
    private long _applied;
    private bool _stopping;
    private bool _disposed;
    private bool _threadDone;

    public EventObserverQueue(EventFeed feed, int capacity = DefaultCapacity, Action<Exception>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _feed = feed;
        Capacity = capacity;
        _onError = onError;
        if (feed.HasObservers)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "attune-event-observers" };
            _thread.Start();
        }
    }

    /// <summary>Most events queued and not yet applied before publishers wait.</summary>
    public int Capacity { get; }

    /// <summary>Sequence number of the last batch admitted to the queue (0: none yet).</summary>
    public long Published => Volatile.Read(ref _published);

    /// <summary>Sequence number of the last batch every observer has been given.</summary>
    public long Applied => Volatile.Read(ref _applied);

    /// <summary>Events admitted and not yet applied.</summary>
    public int Backlog => Volatile.Read(ref _queuedEvents);

    /// <summary>
    /// Queues the part of <paramref name="appended"/> that <paramref name="result"/> says was stored. Completes when the
    /// batch is admitted (at once unless the queue is full), not when it is applied. Not cancellable: the events
    /// are stored, so they must reach the observers.
    /// </summary>
    public ValueTask PublishAsync(IReadOnlyList<Event> appended, AppendResult result)
    {
        ArgumentNullException.ThrowIfNull(appended);
        if (!_feed.HasObservers || result.Accepted == 0)
        {
            return ValueTask.CompletedTask;
        }

        var stored = EventFeed.Stored(appended, result);
        lock (_gate)
        {
            if (!_threadDone)
            {
                // While shutting down the bound no longer applies: the thread applies everything admitted before it exits.
                if (_stopping || (_waiting.Count == 0 && Fits(stored.Count)))
                {
                    Admit(stored);
                    return ValueTask.CompletedTask;
                }

                var pending = new Pending(stored, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                _waiting.Enqueue(pending);
                return new ValueTask(pending.Admitted.Task);
            }
        }

        // After the thread has exited: applied here, on the caller's thread, rather than lost.
        _feed.Deliver(stored);
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes once every observer has been given batch <paramref name="sequence"/> and all before it.</summary>
    public Task WaitForAsync(long sequence, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _applied) >= sequence)
        {
            return Task.CompletedTask;
        }

        TaskCompletionSource done;
        lock (_gate)
        {
            if (_applied >= sequence)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drainWaiters.Add((sequence, done));
        }

        return cancellationToken.CanBeCanceled ? done.Task.WaitAsync(cancellationToken) : done.Task;
    }

    /// <summary>Completes once everything admitted so far has been applied.</summary>
    public Task DrainAsync(CancellationToken cancellationToken = default) => WaitForAsync(Published, cancellationToken);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        _thread?.Join();
    }

    private bool Fits(int count) => _queuedEvents == 0 || _queuedEvents + count <= Capacity;

    private void Admit(IReadOnlyList<Event> stored)
    {
        _queuedEvents += stored.Count;
        var sequence = _published + 1;
        Volatile.Write(ref _published, sequence);
        _queue.Enqueue(new Batch(stored, sequence));
        if (_queue.Count == 1)
        {
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        List<TaskCompletionSource>? toComplete = null;
        while (true)
        {
            Batch batch;
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    if (_stopping)
                    {
                        if (_waiting.Count == 0)
                        {
                            _threadDone = true;
                            return;
                        }

                        // Shutting down: everything still waiting for room goes in regardless of the bound.
                        while (_waiting.TryDequeue(out var p))
                        {
                            Admit(p.Stored);
                            (toComplete ??= []).Add(p.Admitted);
                        }

                        break;
                    }

                    Monitor.Wait(_gate);
                }

                batch = _queue.Peek();
            }

            Complete(toComplete);
            try
            {
                _feed.Deliver(batch.Stored);
            }
            catch (Exception e) when (_onError is not null)
            {
                _onError(e);
            }
            catch (Exception)
            {
                // No error callback: the thread must outlive a faulty observer, or every later ack would wait forever.
            }

            lock (_gate)
            {
                _queue.Dequeue();
                _queuedEvents -= batch.Stored.Count;
                Volatile.Write(ref _applied, batch.Sequence);
                while (_waiting.TryPeek(out var p) && Fits(p.Stored.Count))
                {
                    _waiting.Dequeue();
                    Admit(p.Stored);
                    (toComplete ??= []).Add(p.Admitted);
                }

                for (var i = _drainWaiters.Count - 1; i >= 0; i--)
                {
                    if (_drainWaiters[i].Sequence <= batch.Sequence)
                    {
                        (toComplete ??= []).Add(_drainWaiters[i].Done);
                        _drainWaiters.RemoveAt(i);
                    }
                }
            }

            Complete(toComplete);
        }
    }

    private static void Complete(List<TaskCompletionSource>? waiters)
    {
        if (waiters is null)
        {
            return;
        }

        foreach (var w in waiters)
        {
            w.TrySetResult();
        }

        waiters.Clear();
    }

    private readonly record struct Batch(IReadOnlyList<Event> Stored, long Sequence);

    private sealed record Pending(IReadOnlyList<Event> Stored, TaskCompletionSource Admitted);
}
