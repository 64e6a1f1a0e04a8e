using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Attune.Benchmarks.Storage;

/// <param name="Events">Rows inserted.</param>
/// <param name="Elapsed">Wall time of the inserts and commits (data generation excluded).</param>
/// <param name="Cpu">Processor time of the process meanwhile.</param>
public sealed record CeilingResult(int Events, TimeSpan Elapsed, TimeSpan Cpu)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public double CpuMicrosPerEvent => Cpu.TotalMicroseconds / Events;
}

/// <summary>
/// The ceiling for event ingestion on this machine: plain prepared INSERTs into a table shaped like the
/// store's event log (same columns and indexes, so the same uniqueness guarantee), in transactions of
/// 100,000 rows, WAL, synchronous=FULL, bound and stepped through the native API (sqlite3_bind/step/reset),
/// the fastest way to run them from .NET, about twice the rate of one <c>SqliteCommand.ExecuteNonQuery</c>
/// per row.
/// Nothing the store does (validation, interning, group commit, counters) can beat it; load benchmarks
/// report their rate next to it.
/// </summary>
public static class RawSqliteCeiling
{
    private const int RowsPerTransaction = 100_000;

    /// <param name="events">Rows inserted while the clock runs.</param>
    /// <param name="preload">Rows inserted first, untimed, so the timed rows go into a table (and indexes) of that
    /// size: the size the measured store had when its own phase began.</param>
    public static async Task<CeilingResult> MeasureAsync(int events, long preload = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(preload);
        var dir = Path.Combine(Path.GetTempPath(), "attune-ceiling-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            return await Task.Run(() => Measure(Path.Combine(dir, "ceiling.db"), events, (int)preload, cancellationToken), cancellationToken);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static CeilingResult Measure(string path, int events, int preload, CancellationToken cancellationToken)
    {
        var keys = new string[preload + events];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = "evt-" + i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }

        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        Execute(c, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA cache_size = -65536;
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, item_id INTEGER, type_id INTEGER NOT NULL,
                value REAL, ts INTEGER NOT NULL, session TEXT, context TEXT, properties TEXT, event_key TEXT);
            CREATE UNIQUE INDEX events_event_key ON events(event_key) WHERE event_key IS NOT NULL;
            CREATE INDEX events_user ON events(user_id);
            """);
        var db = c.Handle!;
        if (raw.sqlite3_prepare_v2(db, "INSERT INTO events(user_id, item_id, type_id, value, ts, session, context, properties, event_key) " +
            "VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, NULL, ?6)", out var insert) != raw.SQLITE_OK)
        {
            throw new InvalidOperationException(raw.sqlite3_errmsg(db).utf8_to_string());
        }

        using (insert)
        {
            var rng = new Random(7);
            InsertRows(c, insert, keys, rng, 0, preload, cancellationToken);
            var cpu = Environment.CpuUsage.TotalTime;
            var watch = Stopwatch.StartNew();
            InsertRows(c, insert, keys, rng, preload, preload + events, cancellationToken);
            return new CeilingResult(events, watch.Elapsed, Environment.CpuUsage.TotalTime - cpu);
        }
    }

    private static void InsertRows(SqliteConnection c, sqlite3_stmt insert, string[] keys, Random rng, int from, int to, CancellationToken cancellationToken)
    {
        const long start = 1_767_225_600_000L;
        var db = c.Handle!;
        for (var row = from; row < to;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Execute(c, "BEGIN");
            var end = Math.Min(to, row + RowsPerTransaction);
            for (; row < end; row++)
            {
                raw.sqlite3_bind_int64(insert, 1, rng.Next(100_000));
                raw.sqlite3_bind_int64(insert, 2, rng.Next(10_000));
                raw.sqlite3_bind_int64(insert, 3, row % 4);
                raw.sqlite3_bind_null(insert, 4);
                raw.sqlite3_bind_int64(insert, 5, start + row);
                raw.sqlite3_bind_text16(insert, 6, keys[row].AsSpan());
                if (raw.sqlite3_step(insert) != raw.SQLITE_DONE)
                {
                    throw new InvalidOperationException(raw.sqlite3_errmsg(db).utf8_to_string());
                }

                raw.sqlite3_reset(insert);
            }

            Execute(c, "COMMIT");
        }
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
