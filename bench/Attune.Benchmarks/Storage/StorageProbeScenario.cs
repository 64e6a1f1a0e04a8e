using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Attune.Benchmarks.Storage;

/// <summary>
/// Plain SQLite inserts of event rows under alternative index layouts and commit sizes (synchronous=FULL,
/// WAL): the measurements behind the event table's layout (docs/storage.md).
/// </summary>
/// <remarks>Options: --rows N (default 300,000), --commit N (repeatable; default 64, 4,000, 100,000),
/// --keys sequential|random (event id shape), --page-size N.</remarks>
public sealed class StorageProbeScenario : IScenario
{
    public string Name => "storage-probe";

    public string Description => "raw SQLite insert rate per index layout and commit size (the data behind the event table layout)";

    private static readonly (string Name, string Indexes, bool Hash)[] Layouts =
    [
        ("text id unique + (user, ts)", "CREATE UNIQUE INDEX k ON events(event_key) WHERE event_key IS NOT NULL; CREATE INDEX u ON events(user_id, ts);", false),
        ("text id unique + (user)", "CREATE UNIQUE INDEX k ON events(event_key) WHERE event_key IS NOT NULL; CREATE INDEX u ON events(user_id);", false),
        ("hash id unique + (user)", "CREATE UNIQUE INDEX k ON events(key_hash) WHERE key_hash IS NOT NULL; CREATE INDEX u ON events(user_id);", true),
        ("text id unique only", "CREATE UNIQUE INDEX k ON events(event_key) WHERE event_key IS NOT NULL;", false),
        ("no index", string.Empty, false),
    ];

    public Task<int> RunAsync(string[] args)
    {
        var rows = int.Parse(ScenarioArgs.Arg(args, "--rows") ?? "300000", CultureInfo.InvariantCulture);
        var commits = ScenarioArgs.Args(args, "--commit").Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        if (commits.Count == 0)
        {
            commits = [64, 4_000, 100_000];
        }

        var random = ScenarioArgs.Arg(args, "--keys") == "random";
        var pageSize = int.Parse(ScenarioArgs.Arg(args, "--page-size") ?? "4096", CultureInfo.InvariantCulture);
        var keys = new byte[rows][];
        for (var i = 0; i < rows; i++)
        {
            keys[i] = Encoding.UTF8.GetBytes(random ? Guid.NewGuid().ToString() : "b1a2b3c4d-" + i.ToString(CultureInfo.InvariantCulture));
        }

        Console.WriteLine($"| layout ({(random ? "random" : "sequential")} ids, page {pageSize}) | " + string.Join(" | ", commits.Select(c => $"{c:N0}/commit ev/s, WAL MB")) + " |");
        Console.WriteLine("|---|" + string.Concat(commits.Select(_ => "---:|")));
        foreach (var (name, indexes, hash) in Layouts)
        {
            var cells = commits.Select(c => Measure(keys, c, indexes, hash, pageSize));
            Console.WriteLine($"| {name} | " + string.Join(" | ", cells) + " |");
        }

        Console.WriteLine();
        Console.WriteLine(Scenarios.MachineLine());
        return Task.FromResult(0);
    }

    private static string Measure(byte[][] keys, int perCommit, string indexes, bool hash, int pageSize)
    {
        var dir = Path.Combine(Path.GetTempPath(), "attune-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "p.db"), Pooling = false }.ToString());
            c.Open();
            Exec(c, $"PRAGMA page_size = {pageSize}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0;");
            Exec(c, "CREATE TABLE events (seq INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, item_id INTEGER, type_id INTEGER NOT NULL, " +
                "value REAL, ts INTEGER NOT NULL, session TEXT, context TEXT, properties TEXT, event_key TEXT, key_hash INTEGER);" + indexes);
            var db = c.Handle!;
            Check(raw.sqlite3_prepare_v2(db, "INSERT INTO events(user_id, item_id, type_id, value, ts, event_key, key_hash) VALUES (?,?,?,NULL,?,?,?)", out var stmt), db);
            var rng = new Random(7);
            var watch = Stopwatch.StartNew();
            var rows = keys.Length;
            for (var row = 0; row < rows;)
            {
                Exec(c, "BEGIN");
                var end = Math.Min(rows, row + perCommit);
                for (; row < end; row++)
                {
                    raw.sqlite3_bind_int64(stmt, 1, rng.Next(50_000));
                    raw.sqlite3_bind_int64(stmt, 2, rng.Next(20_000));
                    raw.sqlite3_bind_int64(stmt, 3, row % 4);
                    raw.sqlite3_bind_int64(stmt, 4, 1_767_225_600_000L + row);
                    raw.sqlite3_bind_text(stmt, 5, keys[row]);
                    if (hash)
                    {
                        raw.sqlite3_bind_int64(stmt, 6, Fnv(keys[row]));
                    }
                    else
                    {
                        raw.sqlite3_bind_null(stmt, 6);
                    }

                    if (raw.sqlite3_step(stmt) != raw.SQLITE_DONE)
                    {
                        throw new InvalidOperationException(raw.sqlite3_errmsg(db).utf8_to_string());
                    }

                    raw.sqlite3_reset(stmt);
                }

                Exec(c, "COMMIT");
            }

            var seconds = watch.Elapsed.TotalSeconds;
            raw.sqlite3_finalize(stmt);
            var wal = new FileInfo(Path.Combine(dir, "p.db-wal")).Length / 1e6;
            return string.Create(CultureInfo.InvariantCulture, $"{rows / seconds:N0}, {wal:N0}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static long Fnv(byte[] key)
    {
        var h = 14695981039346656037UL;
        foreach (var b in key)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        return (long)h;
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new InvalidOperationException(raw.sqlite3_errmsg(db).utf8_to_string());
        }
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
