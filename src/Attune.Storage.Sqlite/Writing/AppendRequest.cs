using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Attune.Core;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// An event append for the writer, recycled through a pool: the caller awaits it as a
/// <see cref="ValueTask{TResult}"/> backed by the request itself, so a single-event append allocates neither a
/// task, a completion source nor a closure.
/// </summary>
/// <remarks>
/// Single-event ingestion runs tens of thousands of appends per second; the general <see cref="WriteRequest{T}"/>
/// costs four objects per call (closure, request, completion source, task). The request goes back to the pool
/// when its result is read, which a <see cref="ValueTask{TResult}"/> allows exactly once. Continuations run
/// inline where the request is finished, like <see cref="WriteRequest{T}"/>: <see cref="Completions"/> finishes
/// them on pool threads, never on the writer's or syncer's threads.
/// </remarks>
internal sealed class AppendRequest : WriteRequest, IValueTaskSource<AppendResult>
{
    private const int MaxPooled = 4096;
    private static readonly ConcurrentQueue<AppendRequest> Pool = new();
    private static int _pooled;

    private ManualResetValueTaskSourceCore<AppendResult> _core;
    private IReadOnlyList<Event> _events = [];
    private AppendResult _result;

    public ValueTask<AppendResult> Task => new(this, _core.Version);

    public static AppendRequest Rent(IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        if (Pool.TryDequeue(out var r))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            r = new AppendRequest();
        }

        r._events = events;
        r.Weight = events.Count;
        r.CancellationToken = cancellationToken;
        r.Error = null;
        return r;
    }

    public override void Execute(WriterContext context, WriteScope scope) => _result = context.Append(_events, scope);

    public override void Complete() => _core.SetResult(_result);

    public override void Fail(Exception error) => _core.SetException(error);

    public AppendResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Return();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Return()
    {
        _events = [];
        _result = default;
        Error = null;
        CancellationToken = default;
        _core.Reset();
        if (Interlocked.Increment(ref _pooled) <= MaxPooled)
        {
            Pool.Enqueue(this);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
        }
    }
}
