using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Attune.Benchmarks.Storage;

/// <param name="Events">Rows inserted.</param>
/// <param name="Elapsed">Wall time of the inserts and commits (data generation excluded).</param>
public sealed record CeilingResult(int Events, TimeSpan Elapsed)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}

/// <summary>
/// The ceiling for event ingestion on this machine: plain prepared INSERTs into a table shaped like the
/// store's event log (same columns and indexes), in transactions of 100,000 rows, WAL, synchronous=FULL.
/// Nothing the store does (validation, interning, group commit, counters) can beat it; load benchmarks
/// report their rate next to it.
/// </summary>
public static class RawSqliteCeiling
{
    private const int RowsPerTransaction = 100_000;

    public static async Task<CeilingResult> MeasureAsync(int events, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 1);
        var dir = Path.Combine(Path.GetTempPath(), "attune-ceiling-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            return await Task.Run(() => Measure(Path.Combine(dir, "ceiling.db"), events, cancellationToken), cancellationToken);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static CeilingResult Measure(string path, int events, CancellationToken cancellationToken)
    {
        var keys = new string[events];
        for (var i = 0; i < events; i++)
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
            CREATE INDEX events_user_ts ON events(user_id, ts);
            """);
        using var insert = c.CreateCommand();
        insert.CommandText = "INSERT INTO events(user_id, item_id, type_id, value, ts, session, context, properties, event_key) " +
            "VALUES ($u, $i, $t, $v, $ts, NULL, NULL, NULL, $k)";
        var u = insert.Parameters.Add("$u", SqliteType.Integer);
        var it = insert.Parameters.Add("$i", SqliteType.Integer);
        var t = insert.Parameters.Add("$t", SqliteType.Integer);
        var v = insert.Parameters.Add("$v", SqliteType.Real);
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        var k = insert.Parameters.Add("$k", SqliteType.Text);
        insert.Prepare();
        var rng = new Random(7);
        var start = 1_767_225_600_000L;
        var watch = Stopwatch.StartNew();
        for (var row = 0; row < events;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Execute(c, "BEGIN");
            var end = Math.Min(events, row + RowsPerTransaction);
            for (; row < end; row++)
            {
                u.Value = (long)rng.Next(100_000);
                it.Value = (long)rng.Next(10_000);
                t.Value = (long)(row % 4);
                v.Value = DBNull.Value;
                ts.Value = start + row;
                k.Value = keys[row];
                insert.ExecuteNonQuery();
            }

            Execute(c, "COMMIT");
        }

        return new CeilingResult(events, watch.Elapsed);
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
