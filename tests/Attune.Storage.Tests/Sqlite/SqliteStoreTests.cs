using System.Diagnostics;
using Attune.Core;
using Attune.Storage.Sqlite;
using Attune.Storage.Sqlite.Schema;
using Attune.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Attune.Storage.Tests.Sqlite;

public sealed class SqliteStoreTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Event Ev(string? id, string user, string? item, long offsetMs = 0, string type = EventTypes.View) =>
        new(id, user, item, type, null, T0.AddMilliseconds(offsetMs));

    private string DbPath => Path.Combine(_dir.Path, "data", "attune.db");

    private static SqliteConnection Raw(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Open_creates_the_data_directory_and_a_database_in_wal_mode()
    {
        await using (var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data")))
        {
            Assert.Equal(DbPath, store.DatabasePath);
        }

        Assert.True(File.Exists(DbPath));
        using var c = Raw(DbPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar() as string);
    }

    [Fact]
    public async Task Open_refuses_a_directory_whose_store_is_already_open()
    {
        var dataDir = Path.Combine(_dir.Path, "data");
        await using (var first = await SqliteStore.OpenAsync(dataDir))
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteStore.OpenAsync(dataDir));

            Assert.Contains("already open", error.Message, StringComparison.Ordinal);
            Assert.True(await first.PingAsync());
        }

        await using var again = await SqliteStore.OpenAsync(dataDir);
        Assert.True(await again.PingAsync());
    }

    [Fact]
    public async Task Opening_again_applies_each_migration_once()
    {
        await (await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"))).DisposeAsync();
        await (await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"))).DisposeAsync();

        using var c = Raw(DbPath);
        Assert.Equal(SqliteMigrations.All.Count, Scalar(c, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(SqliteMigrations.LatestVersion, Scalar(c, "SELECT max(version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Open_upgrades_a_version_1_database_builds_the_user_index_file_and_keeps_its_events()
    {
        var dataDir = Path.Combine(_dir.Path, "data");
        await using (var store = await SqliteStore.OpenAsync(dataDir))
        {
            await store.Events.AppendAsync([Ev("a", "u1", "i1", 20), Ev("b", "u2", "i1", 5), Ev("c", "u1", "i2", 10)]);
        }

        // Put the database back into its version 1 shape, as an older Attune left it.
        using (var c = Raw(DbPath))
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = """
                DROP TABLE user_index_purge;
                DROP TABLE store_meta;
                CREATE INDEX events_user_ts ON events(user_id, ts);
                DELETE FROM schema_migrations WHERE version > 1;
                """;
            cmd.ExecuteNonQuery();
        }

        // An older Attune had no index file.
        File.Delete(Path.Combine(dataDir, "attune.user-index.db"));

        await using (var store = await SqliteStore.OpenAsync(dataDir))
        {
            Assert.Equal(SqliteMigrations.LatestVersion, await store.GetSchemaVersionAsync());
            var u1 = new List<Event>();
            await foreach (var e in store.Events.ReadUserAsync("u1"))
            {
                u1.Add(e);
            }

            Assert.Equal(["c", "a"], u1.Select(e => e.Id));
            var again = await store.Events.AppendAsync([Ev("a", "u1", "i1", 20), Ev("d", "u1", "i1", 30)]);
            Assert.Equal(1, again.Accepted);
            Assert.Equal(1, again.Duplicates);
            Assert.True(await store.Users.EraseAsync("u1"));
            Assert.Equal(1, (await store.Events.GetStatsAsync()).Events);
        }

        using var check = Raw(DbPath);
        Assert.Equal(0, Scalar(check, "SELECT count(*) FROM sqlite_master WHERE name IN ('events_user_ts', 'events_user')"));
        Assert.Equal(1, Scalar(check, "SELECT count(*) FROM events"));
        Assert.Equal(0, Scalar(check, "SELECT count(*) FROM user_index_purge"));
        using var index = Raw(Path.Combine(dataDir, "attune.user-index.db"));
        Assert.Equal(1, Scalar(index, "SELECT count(*) FROM user_events"));
        Assert.Equal(Scalar(check, "SELECT user_id FROM events"), Scalar(index, "SELECT user_id FROM user_events"));
    }

    [Fact]
    public async Task Appends_racing_with_dispose_are_either_stored_or_refused_and_none_hangs()
    {
        var dataDir = Path.Combine(_dir.Path, "data");
        var store = await SqliteStore.OpenAsync(dataDir);
        var acknowledged = 0;
        var refused = 0;
        var producers = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            for (var k = 0; ; k++)
            {
                try
                {
                    await store.Events.AppendAsync([Ev($"p{p}-{k}", $"u{p}", "i1", k)]);
                    Interlocked.Increment(ref acknowledged);
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
            }
        })).ToList();
        while (Volatile.Read(ref acknowledged) < 200)
        {
            await Task.Delay(5);
        }

        await store.DisposeAsync();
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(8, refused);
        await using var reopened = await SqliteStore.OpenAsync(dataDir);
        Assert.Equal(acknowledged, (await reopened.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Open_refuses_a_database_with_a_newer_schema_and_leaves_it_untouched()
    {
        await (await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"))).DisposeAsync();
        var future = SqliteMigrations.LatestVersion + 1;
        using (var c = Raw(DbPath))
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"INSERT INTO schema_migrations(version, name, applied_at) VALUES ({future}, 'from the future', 'x')";
            cmd.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data")));

        Assert.Contains($"schema version {future}", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        using var check = Raw(DbPath);
        Assert.Equal(future, Scalar(check, "SELECT max(version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Erase_leaves_no_row_in_any_table_mentioning_the_user()
    {
        const string victim = "victim-7f3a9c";
        var dataDir = Path.Combine(_dir.Path, "data");
        await using (var store = await SqliteStore.OpenAsync(dataDir))
        {
            await store.Users.UpsertAsync([new User(victim), new User("bystander")]);
            var events = new List<Event>();
            for (var k = 0; k < 500; k++)
            {
                events.Add(new Event($"{victim}-e{k}", victim, $"i{k % 20}", EventTypes.View, null, T0.AddSeconds(k), $"{victim}-session",
                    new EventContext("web", Page: $"/u/{victim}")));
                events.Add(Ev($"b{k}", "bystander", $"i{k % 20}", k));
            }

            await store.Events.AppendAsync(events);

            Assert.True(await store.Users.EraseAsync(victim));
        }

        using (var c = Raw(DbPath))
        {
            var tables = new List<string>();
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    tables.Add(r.GetString(0));
                }
            }

            Assert.Contains("events", tables);
            foreach (var t in tables)
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"SELECT * FROM \"{t}\"";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    for (var col = 0; col < r.FieldCount; col++)
                    {
                        var text = r.IsDBNull(col) ? string.Empty : Convert.ToString(r.GetValue(col), System.Globalization.CultureInfo.InvariantCulture);
                        Assert.DoesNotContain(victim, text, StringComparison.Ordinal);
                    }
                }
            }

            Assert.Equal(500, Scalar(c, "SELECT count(*) FROM events"));
        }
    }

    [Fact]
    public async Task Acknowledged_events_are_in_the_files_on_disk_before_the_store_closes()
    {
        // Copying the files of a live store is what a kill -9 leaves behind: whatever the process wrote, nothing it held in memory.
        var dataDir = Path.Combine(_dir.Path, "data");
        var crashDir = Path.Combine(_dir.Path, "crash");
        Directory.CreateDirectory(crashDir);
        await using var store = await SqliteStore.OpenAsync(dataDir);
        await store.Events.AppendAsync([Ev("e1", "u1", "i1"), Ev("e2", "u2", "i2", 5)]);
        await Task.WhenAll(Enumerable.Range(0, 32).Select(k => store.Events.AppendAsync([Ev($"c{k}", "u3", "i3", k)]).AsTask()));

        foreach (var f in Directory.GetFiles(dataDir))
        {
            if (!f.EndsWith("-shm", StringComparison.Ordinal) && !f.EndsWith(".lock", StringComparison.Ordinal))
            {
                File.Copy(f, Path.Combine(crashDir, Path.GetFileName(f)));
            }
        }

        await using var recovered = await SqliteStore.OpenAsync(crashDir);
        Assert.Equal(34, (await recovered.Events.GetStatsAsync()).Events);
        Assert.Equal(34, (await recovered.Events.ReadSnapshotAsync()).Count);
    }

    [Fact]
    public async Task A_failing_request_in_a_group_commit_rolls_back_alone()
    {
        await using var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"));
        var gate = new TaskCompletionSource();

        // The first request holds the writer so the next ones queue up and share one transaction.
        var blocker = store.Writer.Enqueue((_, _) => gate.Task.Wait(TimeSpan.FromSeconds(10)), 1, default);
        var good1 = store.Events.AppendAsync([Ev("g1", "u1", "i1")]).AsTask();
        var bad = store.Writer.Enqueue<AppendResult>((c, scope) =>
        {
            c.Append([Ev("b1", "bad-user", "bad-item", 0, "bad-type")], scope);
            throw new InvalidOperationException("boom");
        }, 1, default);
        var good2 = store.Events.AppendAsync([Ev("g2", "u2", "i2")]).AsTask();
        gate.SetResult();

        await blocker;
        Assert.Equal(1, (await good1).Accepted);
        Assert.Equal(1, (await good2).Accepted);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal("boom", error.Message);
        var stats = await store.Events.GetStatsAsync();
        Assert.Equal((2L, 2L, 2L), (stats.Events, stats.Users, stats.Items));
        Assert.False(stats.EventsByType.ContainsKey("bad-type"));
        Assert.Equal(["u1", "u2"], (await store.Events.ReadSnapshotAsync()).UserIds);

        // The rolled-back keys are gone from the caches too: the same user can be added for real.
        Assert.Equal(1, (await store.Events.AppendAsync([Ev("b1", "bad-user", "bad-item")])).Accepted);
        Assert.Equal(["u1", "u2", "bad-user"], (await store.Events.ReadSnapshotAsync()).UserIds);
    }

    [Fact]
    public async Task Snapshot_with_more_than_256_event_types_is_refused_with_a_clear_error()
    {
        await using var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"));
        await store.Events.AppendAsync(Enumerable.Range(0, 257).Select(k => Ev(null, "u1", "i1", k, $"custom-{k}")).ToList());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.Events.ReadSnapshotAsync());

        Assert.Contains("256", error.Message, StringComparison.Ordinal);
        Assert.Equal(256, (await store.Events.ReadSnapshotAsync(new SnapshotRange(ToMs: T0.ToUnixTimeMilliseconds() + 256))).Types.Length);
    }

    [Fact]
    public async Task Persisted_counters_match_a_recount_of_the_log()
    {
        var dataDir = Path.Combine(_dir.Path, "data");
        await using (var store = await SqliteStore.OpenAsync(dataDir))
        {
            var types = new[] { EventTypes.View, EventTypes.Click, EventTypes.Purchase };
            for (var b = 0; b < 20; b++)
            {
                await store.Events.AppendAsync(Enumerable.Range(0, 50)
                    .Select(k => Ev($"e{(b * 50 + k) % 700}", $"u{k % 9}", $"i{k}", b * 50 + k, types[k % 3])).ToList());
            }

            await store.Users.EraseAsync("u3");
            await store.Users.EraseAsync("u0");
        }

        using var c = Raw(DbPath);
        Assert.Equal(0, Scalar(c, """
            SELECT count(*) FROM type_map t
            WHERE t.events <> (SELECT count(*) FROM events e WHERE e.type_id = t.id)
            """));
        Assert.Equal(Scalar(c, "SELECT min(ts) FROM events"), Scalar(c, "SELECT value FROM log_bounds WHERE name = 'first'"));
        Assert.Equal(Scalar(c, "SELECT max(ts) FROM events"), Scalar(c, "SELECT value FROM log_bounds WHERE name = 'last'"));
        Assert.Equal(0, Scalar(c, "SELECT count(*) FROM user_map u WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.user_id = u.id)"));
    }

    [Fact]
    public async Task Snapshot_of_a_million_events_is_complete_and_consistent()
    {
        const int n = 1_000_000, users = 50_000, items = 10_000;
        await using var store = await SqliteStore.OpenAsync(Path.Combine(_dir.Path, "data"), new SqliteStoreOptions(SqliteSynchronous.Normal));
        var rng = new Random(42);
        var batch = new Event[10_000];
        var watch = Stopwatch.StartNew();
        for (var b = 0; b < n / batch.Length; b++)
        {
            for (var k = 0; k < batch.Length; k++)
            {
                var row = b * batch.Length + k;
                batch[k] = new Event(null, $"u{rng.Next(users)}", $"i{rng.Next(items)}", EventTypes.View,
                    row % 3 == 0 ? null : row % 5, T0.AddMilliseconds(row));
            }

            await store.Events.AppendAsync(batch);
        }

        var appendTime = watch.Elapsed;
        watch.Restart();
        var s = await store.Events.ReadSnapshotAsync();
        output.WriteLine($"append {n:N0}: {appendTime.TotalSeconds:F2}s, snapshot: {watch.Elapsed.TotalSeconds:F2}s");

        Assert.Equal(n, s.Count);
        Assert.InRange(s.UserIds.Length, users * 9 / 10, users);
        Assert.Equal(items, s.ItemIds.Length);
        Assert.Equal(0, s.UserIndex[0]);
        Assert.True(s.UserIndex.Max() == s.UserIds.Length - 1 && s.ItemIndex.Max() == s.ItemIds.Length - 1);
        Assert.Equal(T0.ToUnixTimeMilliseconds() + n - 1, s.TimestampMs[^1]);
        Assert.True(float.IsNaN(s.Value[0]));
        Assert.Equal(1f, s.Value[1]);
    }
}
