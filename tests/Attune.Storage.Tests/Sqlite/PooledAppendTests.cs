using Attune.Core;
using Attune.Storage.Sqlite;
using Attune.TestSupport;

namespace Attune.Storage.Tests.Sqlite;

/// <summary>Appends go through pooled requests: a recycled request must never leak one caller's result or error into another's.</summary>
public sealed class PooledAppendTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Event Ev(string id, string user) => new(id, user, "i1", EventTypes.View, null, T0);

    [Fact]
    public async Task Sequential_appends_each_get_their_own_result_when_requests_are_reused()
    {
        await using var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"));

        for (var i = 0; i < 50; i++)
        {
            var fresh = await store.Events.AppendAsync([Ev($"e{i}", "u1")]);
            var again = await store.Events.AppendAsync([Ev($"e{i}", "u1"), Ev($"f{i}", "u2"), Ev($"e{i}", "u1")]);

            Assert.Equal((1, 0), (fresh.Accepted, fresh.Duplicates));
            Assert.Null(fresh.DuplicateIndices);
            Assert.Equal((1, 2), (again.Accepted, again.Duplicates));
            Assert.Equal([0, 2], again.DuplicateIndices);
        }

        Assert.Equal(100, (await store.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Append_cancelled_while_queued_fails_alone_and_the_next_appends_succeed()
    {
        await using var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"));
        var gate = new TaskCompletionSource();
        using var cancel = new CancellationTokenSource();

        // Hold the writer so the append stays queued until after its token is cancelled: the blocker must be running
        // (its transaction already drained) before the appends are queued, or they would share its transaction.
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = store.Writer.Enqueue((_, _) =>
        {
            running.SetResult();
            return gate.Task.Wait(TimeSpan.FromSeconds(10));
        }, 1, default);
        await running.Task;
        var cancelled = store.Events.AppendAsync([Ev("c1", "u1")], cancel.Token).AsTask();
        var kept = store.Events.AppendAsync([Ev("k1", "u1")]).AsTask();
        await cancel.CancelAsync();
        gate.SetResult();
        await blocker;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.True(cancelled.IsCanceled);
        Assert.Equal(1, (await kept).Accepted);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(1, (await store.Events.AppendAsync([Ev($"n{i}", "u1")])).Accepted);
        }

        var stats = await store.Events.GetStatsAsync();
        Assert.Equal(11, stats.Events);
    }

    [Fact]
    public async Task Concurrent_appends_from_many_callers_are_each_answered_once_with_their_own_counts()
    {
        await using var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"));

        // Every caller sends a new event then a duplicate of it, many times over, so requests are recycled while
        // others are in flight; a result delivered to the wrong caller shows up as a wrong count.
        var callers = Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
        {
            var wrong = 0;
            for (var i = 0; i < 40; i++)
            {
                var fresh = await store.Events.AppendAsync([Ev($"c{c}-{i}", $"u{c}")]);
                var dup = await store.Events.AppendAsync([Ev($"c{c}-{i}", $"u{c}"), Ev($"c{c}-{i}", $"u{c}")]);
                if (fresh.Accepted != 1 || dup.Accepted != 0 || dup.Duplicates != 2)
                {
                    wrong++;
                }
            }

            return wrong;
        })).ToArray();

        Assert.All(await Task.WhenAll(callers), wrong => Assert.Equal(0, wrong));
        Assert.Equal(16 * 40, (await store.Events.GetStatsAsync()).Events);
    }
}
