namespace Attune.Storage.Sqlite.Writing;

/// <summary>Answers finished write requests on the thread pool, a few work items per group rather than one per request.</summary>
/// <remarks>
/// A group commit finishes dozens of requests at once. Completing each through its own thread-pool item (what
/// <c>RunContinuationsAsynchronously</c> does) costs a queue operation and often a thread wake-up per request;
/// running the continuations on the writer or syncer threads would hold them up with request work (writing
/// the response). So the group is cut into one slice per processor and each slice runs its callers'
/// continuations inline on one pool thread. Cost: one pool item per slice, O(n) per group.
/// </remarks>
internal static class Completions
{
    private const int MinSlice = 4;

    /// <summary>Finishes every request of <paramref name="done"/> (completed, or failed with its <see cref="WriteRequest.Error"/>); the list may be reused at once.</summary>
    public static void Dispatch(List<WriteRequest> done)
    {
        if (done.Count == 0)
        {
            return;
        }

        var slices = Math.Clamp(done.Count / MinSlice, 1, Environment.ProcessorCount);
        var size = (done.Count + slices - 1) / slices;
        for (var start = 0; start < done.Count; start += size)
        {
            var slice = done.GetRange(start, Math.Min(size, done.Count - start)).ToArray();
            ThreadPool.UnsafeQueueUserWorkItem(static s => Finish(s), slice, preferLocal: false);
        }
    }

    private static void Finish(WriteRequest[] slice)
    {
        foreach (var r in slice)
        {
            r.Finish();
        }
    }
}
