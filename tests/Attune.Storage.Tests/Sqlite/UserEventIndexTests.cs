using Attune.Core;
using Attune.Storage.Sqlite;
using Attune.Storage.Sqlite.Writing;
using Attune.TestSupport;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Tests.Sqlite;

/// <summary>The per-user index in its own file: the tail, its flushes, recovery at open, erasure's purge.</summary>
public sealed class UserEventIndexTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string DataDir => Path.Combine(_dir.Path, "data");

    private string LogPath => Path.Combine(DataDir, "attune.db");

    private string IndexPath => Path.Combine(DataDir, "attune.user-index.db");

    [Fact]
    public async Task Reads_find_every_event_whether_it_is_in_the_tail_or_the_file()
    {
        await using var store = await SqliteStore.OpenAsync(DataDir);
        var index = store.UserIndex;

        // In batches; the thread writes them after FlushAfter (fewer than FlushEntries are published).
        var expected = new Dictionary<string, int>();
        for (var b = 0; b < 8; b++)
        {
            var batch = Enumerable.Range(0, 10_000).Select(k => Ev($"e{b}-{k}", $"u{k % 13}", $"i{k % 97}", (b * 10_000) + k)).ToList();
            Assert.Equal(10_000, (await store.Events.AppendAsync(batch)).Accepted);
            foreach (var e in batch)
            {
                expected[e.UserId] = expected.GetValueOrDefault(e.UserId) + 1;
            }
        }

        await WaitUntilAsync(() => index.IndexedUpto >= 80_000);
        index.HoldFlushes(true);
        var more = Enumerable.Range(0, 26).Select(k => Ev($"late-{k}", $"u{k % 13}", "i1", 100_000 + k)).ToList();
        await store.Events.AppendAsync(more);
        foreach (var e in more)
        {
            expected[e.UserId]++;
        }

        Assert.True(index.TailCount > 0, "the latest events should still be in the tail");
        Assert.Equal(80_000, RowsIn(IndexPath, "SELECT count(*) FROM user_events"));

        foreach (var (user, count) in expected)
        {
            var events = await ReadAsync(store, user);
            Assert.Equal(count, events.Count);
            Assert.All(events, e => Assert.Equal(user, e.UserId));
            Assert.Equal(events.OrderBy(e => e.Timestamp).Select(e => e.Id), events.Select(e => e.Id));
        }

        index.HoldFlushes(false);
    }

    [Fact]
    public async Task Closing_the_store_writes_the_tail_to_the_file()
    {
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            await store.Events.AppendAsync([Ev("a", "u1", "i1"), Ev("b", "u2", "i1", 1), Ev("c", "u1", "i2", 2)]);
        }

        Assert.Equal(3, RowsIn(IndexPath, "SELECT count(*) FROM user_events"));
        Assert.Equal(RowsIn(LogPath, "SELECT max(seq) FROM events"), RowsIn(IndexPath, "SELECT value FROM meta WHERE name = 'indexed_upto'"));
    }

    [Fact]
    public async Task Flushing_writes_the_tail_to_the_file_at_once()
    {
        await using var store = await SqliteStore.OpenAsync(DataDir);
        await store.Events.AppendAsync([Ev("a", "u1", "i1"), Ev("b", "u2", "i1", 1)]);
        Assert.Equal(2, store.UserIndex.TailCount);

        await store.FlushUserIndexAsync();

        Assert.Equal(0, store.UserIndex.TailCount);
        Assert.Equal(2, RowsIn(IndexPath, "SELECT count(*) FROM user_events"));
        Assert.Equal(["a"], (await ReadAsync(store, "u1")).Select(e => e.Id));
    }

    [Fact]
    public async Task A_deleted_index_file_is_rebuilt_from_the_log()
    {
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            await store.Events.AppendAsync([Ev("a", "u1", "i1"), Ev("b", "u2", "i1", 1), Ev("c", "u1", "i2", 2)]);
        }

        SqliteConnection.ClearAllPools();
        File.Delete(IndexPath);
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            Assert.Equal(["a", "c"], (await ReadAsync(store, "u1")).Select(e => e.Id));
            Assert.Equal(["b"], (await ReadAsync(store, "u2")).Select(e => e.Id));
        }
    }

    [Fact]
    public async Task An_index_file_of_another_log_is_rebuilt()
    {
        var otherDir = Path.Combine(_dir.Path, "other");
        await using (var other = await SqliteStore.OpenAsync(otherDir))
        {
            await other.Events.AppendAsync([Ev("x", "u1", "i9"), Ev("y", "u1", "i9", 1), Ev("z", "u2", "i9", 2)]);
        }

        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            await store.Events.AppendAsync([Ev("b", "u2", "i1"), Ev("a", "u1", "i1", 1)]);
        }

        // The other store's index file, put beside this log (a restored or copied file).
        SqliteConnection.ClearAllPools();
        File.Copy(Path.Combine(otherDir, "attune.user-index.db"), IndexPath, overwrite: true);
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            Assert.Equal(["a"], (await ReadAsync(store, "u1")).Select(e => e.Id));
            Assert.Equal(["b"], (await ReadAsync(store, "u2")).Select(e => e.Id));
        }
    }

    [Fact]
    public async Task Erasure_purges_the_user_from_the_index_file()
    {
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            await store.Events.AppendAsync([Ev("a", "victim", "i1"), Ev("b", "keep", "i1", 1), Ev("c", "victim", "i2", 2)]);
        }

        var victim = RowsIn(LogPath, "SELECT id FROM user_map WHERE key = 'victim'");
        Assert.Equal(2, RowsIn(IndexPath, $"SELECT count(*) FROM user_events WHERE user_id = {victim}"));
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            // One more in the tail, so both places are purged.
            await store.Events.AppendAsync([Ev("d", "victim", "i3", 3)]);
            Assert.True(await store.Users.EraseAsync("victim"));
            Assert.Empty(await ReadAsync(store, "victim"));
            Assert.Equal(["b"], (await ReadAsync(store, "keep")).Select(e => e.Id));
        }

        Assert.Equal(0, RowsIn(IndexPath, $"SELECT count(*) FROM user_events WHERE user_id = {victim}"));
        Assert.Equal(1, RowsIn(IndexPath, "SELECT count(*) FROM user_events"));
        Assert.Equal(0, RowsIn(LogPath, "SELECT count(*) FROM user_index_purge"));
    }

    [Fact]
    public async Task Erasure_in_the_same_transaction_as_the_users_latest_events_erases_those_too()
    {
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            // Hold the writer inside a transaction so the append and the erasure queue behind it and share the next one.
            using var gate = new ManualResetEventSlim();
            var blocker = store.Writer.Enqueue((_, _) => gate.Wait(TimeSpan.FromSeconds(30)), 1, CancellationToken.None);
            var append = store.Events.AppendAsync([Ev("v1", "victim", "i1"), Ev("k1", "keep", "i1", 1)]).AsTask();
            var erase = store.Users.EraseAsync("victim");
            gate.Set();
            await Task.WhenAll(blocker, append, erase);

            Assert.True(await erase);
            Assert.Empty(await ReadAsync(store, "victim"));
            Assert.Equal(1, (await store.Events.GetStatsAsync()).Events);
        }

        Assert.Equal(0, RowsIn(LogPath, "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM user_map u WHERE u.id = e.user_id)"));
        Assert.Equal(1, RowsIn(IndexPath, "SELECT count(*) FROM user_events"));
    }

    [Fact]
    public async Task A_purge_interrupted_by_a_crash_is_finished_when_the_store_opens()
    {
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            await store.Events.AppendAsync([Ev("a", "victim", "i1"), Ev("b", "keep", "i1", 1)]);
        }

        // The erasure's transaction committed in the log; the process stopped before the index file was purged.
        var victim = RowsIn(LogPath, "SELECT id FROM user_map WHERE key = 'victim'");
        using (var c = Open(LogPath))
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"""
                DELETE FROM events WHERE user_id = {victim};
                DELETE FROM user_map WHERE id = {victim};
                INSERT INTO user_index_purge(user_id) VALUES ({victim});
                """;
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(1, RowsIn(IndexPath, $"SELECT count(*) FROM user_events WHERE user_id = {victim}"));
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            Assert.Equal(["b"], (await ReadAsync(store, "keep")).Select(e => e.Id));
        }

        Assert.Equal(0, RowsIn(IndexPath, $"SELECT count(*) FROM user_events WHERE user_id = {victim}"));
        Assert.Equal(0, RowsIn(LogPath, "SELECT count(*) FROM user_index_purge"));
    }

    [Fact]
    public async Task Sequence_numbers_are_never_reused_after_the_newest_events_are_erased()
    {
        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            await store.Events.AppendAsync([Ev("a", "old", "i1"), Ev("b", "newest", "i1", 1), Ev("c", "newest", "i1", 2)]);
            await store.Users.EraseAsync("newest");
        }

        await using (var store = await SqliteStore.OpenAsync(DataDir))
        {
            await store.Events.AppendAsync([Ev("d", "later", "i1", 3)]);
            Assert.Equal(["d"], (await ReadAsync(store, "later")).Select(e => e.Id));
            Assert.Equal(["a"], (await ReadAsync(store, "old")).Select(e => e.Id));
        }

        Assert.Equal(4, RowsIn(LogPath, "SELECT seq FROM events WHERE event_key = 'd'"));
    }

    [Fact]
    public async Task Events_of_a_request_that_rolled_back_never_reach_the_index()
    {
        await using var store = await SqliteStore.OpenAsync(DataDir);

        // A writer request that fails after appending: its transaction (or savepoint) rolls back.
        await store.Events.AppendAsync([Ev("a", "u1", "i1")]);
        var failing = store.Writer.Enqueue<bool>((c, scope) =>
        {
            c.Append([Ev("ghost", "u1", "i1", 1)], scope);
            throw new InvalidOperationException("fails after its append");
        }, 1, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        await store.Events.AppendAsync([Ev("b", "u1", "i1", 2)]);

        Assert.Equal(["a", "b"], (await ReadAsync(store, "u1")).Select(e => e.Id));
        var u1 = RowsIn(LogPath, "SELECT id FROM user_map WHERE key = 'u1'");
        Assert.Equal(2, store.UserIndex.SequencesOf(u1).Distinct().Count());
    }

    private static Event Ev(string id, string user, string item, long offsetMs = 0) =>
        new(id, user, item, EventTypes.View, null, T0.AddMilliseconds(offsetMs));

    private static async Task<List<Event>> ReadAsync(SqliteStore store, string user)
    {
        var events = new List<Event>();
        await foreach (var e in store.Events.ReadUserAsync(user))
        {
            events.Add(e);
        }

        return events;
    }

    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static long RowsIn(string path, string sql)
    {
        using var c = Open(path);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the index thread");
            await Task.Delay(20);
        }
    }
}
