using Attune.Core;
using Attune.Storage.Sqlite;
using Attune.TestSupport;

namespace Attune.Storage.Tests.Sqlite;

public sealed class WalSyncerTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Event Ev(string id, string user) => new(id, user, "i1", EventTypes.View, null, T0);

    [Fact]
    public async Task Append_at_full_durability_is_not_acknowledged_before_the_log_is_synced()
    {
        await using var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"));
        var syncer = store.Writer.Syncer;
        Assert.NotNull(syncer);
        using var gate = new ManualResetEventSlim(false);
        syncer.BeforeSync = () => gate.Wait(TimeSpan.FromSeconds(30));

        var append = store.Events.AppendAsync([Ev("e1", "u1")]).AsTask();
        var completedEarly = await Task.WhenAny(append, Task.Delay(300)) == append;
        var syncsBefore = syncer.Syncs;
        gate.Set();
        var result = await append;

        Assert.False(completedEarly);
        Assert.Equal(0, syncsBefore);
        Assert.Equal(1, result.Accepted);
        Assert.True(syncer.Syncs >= 1);
    }

    [Fact]
    public async Task Concurrent_appends_at_full_durability_are_all_acknowledged_and_readable()
    {
        var dataDir = Path.Combine(_dir.Path, "data");
        await using (var store = await SqliteStore.OpenAsync(dataDir))
        {
            var appends = Enumerable.Range(0, 500)
                .Select(i => store.Events.AppendAsync([Ev($"e{i}", $"u{i % 37}")]).AsTask())
                .ToArray();
            var results = await Task.WhenAll(appends);

            Assert.All(results, r => Assert.Equal(1, r.Accepted));
            Assert.InRange(store.Writer.Syncer!.Syncs, 1, 500);
        }

        await using var reopened = await SqliteStore.OpenAsync(dataDir);
        var count = 0;
        await foreach (var _ in reopened.Events.ReadAllAsync())
        {
            count++;
        }

        Assert.Equal(500, count);
    }

    [Fact]
    public async Task Store_at_normal_durability_has_no_syncer()
    {
        await using var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"), new SqliteStoreOptions(SqliteSynchronous.Normal));

        var result = await store.Events.AppendAsync([Ev("e1", "u1")]);

        Assert.Null(store.Writer.Syncer);
        Assert.Equal(1, result.Accepted);
    }
}
