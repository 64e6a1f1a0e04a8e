using Attune.Core;
using Attune.Engine.Feedback;
using Attune.Storage;

namespace Attune.Engine.Tests.Feedback;

public sealed class EventObserverQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Records what it sees and the threads it was called on; can be held shut to let a backlog build up.</summary>
    private sealed class Recorder : IEventObserver
    {
        private readonly ManualResetEventSlim _open;

        public Recorder(bool open = true) => _open = new ManualResetEventSlim(open);

        public List<string> Seen { get; } = [];

        public HashSet<int> Threads { get; } = [];

        public int Concurrent { get; private set; }

        private int _inside;

        public void OnAppended(IReadOnlyList<Event> stored)
        {
            if (Interlocked.Increment(ref _inside) > 1)
            {
                Concurrent++;
            }

            _open.Wait(Patience);
            lock (Seen)
            {
                Seen.AddRange(stored.Select(e => e.Id!));
                Threads.Add(Environment.CurrentManagedThreadId);
            }

            Interlocked.Decrement(ref _inside);
        }

        public void Open() => _open.Set();

        public string[] Snapshot()
        {
            lock (Seen)
            {
                return [.. Seen];
            }
        }
    }

    private sealed class Thrower : IEventObserver
    {
        public void OnAppended(IReadOnlyList<Event> stored) => throw new InvalidOperationException("boom");
    }

    private static Event Ev(string id) => new(id, "u", "i", "view", null, DateTimeOffset.UnixEpoch);

    private static Event[] Batch(string prefix, int n) => [.. Enumerable.Range(0, n).Select(i => Ev($"{prefix}{i}"))];

    private static AppendResult AllStored(int n) => new(n, 0);

    [Fact]
    public async Task Batches_published_from_many_threads_reach_the_observer_once_each_in_admission_order_on_one_thread()
    {
        var recorder = new Recorder();
        using var queue = new EventObserverQueue(new EventFeed([recorder]), capacity: 50);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var b = 0; b < 50; b++)
            {
                var batch = Batch($"t{t}b{b}-", 1 + (b % 5));
                await queue.PublishAsync(batch, AllStored(batch.Length));
            }
        })));
        await queue.DrainAsync().WaitAsync(Patience);

        var seen = recorder.Snapshot();
        Assert.Equal(8 * 50 * 3, seen.Length);
        Assert.Equal(seen.Length, seen.Distinct().Count());
        Assert.Single(recorder.Threads);
        Assert.Equal(0, recorder.Concurrent);
        // Within one publisher, batches arrive in the order it published them.
        for (var t = 0; t < 8; t++)
        {
            var mine = seen.Where(id => id.StartsWith($"t{t}b", StringComparison.Ordinal)).ToArray();
            var order = mine.Select(id => int.Parse(id[(id.IndexOf('b', StringComparison.Ordinal) + 1)..id.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(order.Order(), order);
        }

        Assert.Equal(queue.Published, queue.Applied);
        Assert.Equal(0, queue.Backlog);
    }

    [Fact]
    public async Task Duplicates_are_left_out_and_a_batch_with_nothing_stored_is_not_queued()
    {
        var recorder = new Recorder();
        using var queue = new EventObserverQueue(new EventFeed([recorder]));

        await queue.PublishAsync([Ev("a"), Ev("b"), Ev("c")], new AppendResult(2, 1) { DuplicateIndices = [1] });
        await queue.PublishAsync([Ev("d")], new AppendResult(0, 1) { DuplicateIndices = [0] });
        await queue.DrainAsync().WaitAsync(Patience);

        Assert.Equal(["a", "c"], recorder.Snapshot());
        Assert.Equal(1, queue.Published);
    }

    [Fact]
    public async Task A_full_queue_makes_the_publisher_wait_until_the_observer_catches_up_and_drops_nothing()
    {
        var recorder = new Recorder(open: false);
        using var queue = new EventObserverQueue(new EventFeed([recorder]), capacity: 10);

        await queue.PublishAsync(Batch("a", 6), AllStored(6)); // taken by the thread, which blocks in the observer
        await queue.PublishAsync(Batch("b", 4), AllStored(4)); // fills the bound: 10 queued
        var third = queue.PublishAsync(Batch("c", 3), AllStored(3)).AsTask();
        var fourth = queue.PublishAsync(Batch("d", 1), AllStored(1)).AsTask(); // would fit alone, but waits its turn

        await Task.Delay(100);
        Assert.False(third.IsCompleted);
        Assert.False(fourth.IsCompleted);
        Assert.Equal(10, queue.Backlog);

        recorder.Open();
        await Task.WhenAll(third, fourth).WaitAsync(Patience);
        await queue.DrainAsync().WaitAsync(Patience);

        Assert.Equal([.. Batch("a", 6).Concat(Batch("b", 4)).Concat(Batch("c", 3)).Concat(Batch("d", 1)).Select(e => e.Id!)], recorder.Snapshot());
    }

    [Fact]
    public async Task A_batch_larger_than_the_capacity_is_admitted_alone()
    {
        var recorder = new Recorder();
        using var queue = new EventObserverQueue(new EventFeed([recorder]), capacity: 4);

        await queue.PublishAsync(Batch("big", 9), AllStored(9)).AsTask().WaitAsync(Patience);
        await queue.DrainAsync().WaitAsync(Patience);

        Assert.Equal(9, recorder.Snapshot().Length);
    }

    [Fact]
    public async Task WaitForAsync_completes_only_once_that_batch_and_all_before_it_are_applied()
    {
        var recorder = new Recorder(open: false);
        using var queue = new EventObserverQueue(new EventFeed([recorder]));
        await queue.PublishAsync(Batch("a", 2), AllStored(2));
        await queue.PublishAsync(Batch("b", 2), AllStored(2));
        var target = queue.Published;

        var wait = queue.WaitForAsync(target);
        await Task.Delay(100);
        Assert.False(wait.IsCompleted);
        Assert.True(queue.Applied < target);

        recorder.Open();
        await wait.WaitAsync(Patience);

        Assert.Equal(4, recorder.Snapshot().Length);
        Assert.True(queue.WaitForAsync(target).IsCompleted);
    }

    [Fact]
    public async Task Dispose_applies_everything_acknowledged_including_publishers_waiting_for_room()
    {
        var recorder = new Recorder(open: false);
        var queue = new EventObserverQueue(new EventFeed([recorder]), capacity: 4);
        await queue.PublishAsync(Batch("a", 2), AllStored(2));
        await queue.PublishAsync(Batch("b", 2), AllStored(2));
        var waiting = queue.PublishAsync(Batch("c", 2), AllStored(2)).AsTask();

        var dispose = Task.Run(queue.Dispose);
        await Task.Delay(50);
        recorder.Open();
        await dispose.WaitAsync(Patience);
        await waiting.WaitAsync(Patience);

        Assert.Equal(6, recorder.Snapshot().Length);
        // After disposal a late publisher is applied on its own thread rather than lost.
        await queue.PublishAsync(Batch("late", 1), AllStored(1));
        Assert.Equal(7, recorder.Snapshot().Length);
    }

    [Fact]
    public async Task An_observer_that_throws_is_reported_and_the_others_still_see_every_batch()
    {
        var recorder = new Recorder();
        var errors = new List<Exception>();
        using var queue = new EventObserverQueue(new EventFeed([new Thrower(), recorder], (_, ex) => { lock (errors) { errors.Add(ex); } }));

        await queue.PublishAsync(Batch("a", 1), AllStored(1));
        await queue.PublishAsync(Batch("b", 1), AllStored(1));
        await queue.DrainAsync().WaitAsync(Patience);

        Assert.Equal(["a0", "b0"], recorder.Snapshot());
        lock (errors)
        {
            Assert.Equal(2, errors.Count);
        }
    }
}
