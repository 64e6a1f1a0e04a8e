using Attune.Storage.Sqlite.Writing;
using Attune.TestSupport;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Tests.Sqlite;

public sealed class WalCheckpointerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// The situation of sustained ingestion, step by step: the background pass copies the log, and the writer
    /// commits again before it begins another transaction, so no transaction ever begins on a fully copied log.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_final_pass_between_transactions_restarts_a_log_that_background_passes_never_catch_up_with(bool finalPasses)
    {
        var path = Path.Combine(_dir.Path, "w.db");
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        using var writer = new SqliteConnection(cs);
        writer.Open();
        Execute(writer, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x BLOB);");
        using var insert = writer.CreateCommand();
        insert.CommandText = "INSERT INTO t(x) VALUES (randomblob(3000))";

        long length;
        await using (var checkpointer = new WalCheckpointer(cs, restartFrames: 64, finalPassFrames: 32, interval: Timeout.InfiniteTimeSpan))
        {
            for (var round = 0; round < 100; round++)
            {
                for (var k = 0; k < 20; k++)
                {
                    Commit(writer, insert);
                }

                // A commit lands while the pass runs: simulated by a reader whose snapshot predates it, which the
                // pass may not copy past. So the pass leaves the newest frame, and the next transaction cannot
                // restart the log.
                using (var reader = new SqliteConnection(cs))
                {
                    reader.Open();
                    using var tx = reader.BeginTransaction(deferred: true);
                    Scalar(reader, "SELECT count(*) FROM t");
                    Commit(writer, insert);
                    checkpointer.PassOnce();
                    tx.Commit();
                }

                if (finalPasses)
                {
                    checkpointer.RunFinalPassIfRequested(writer);
                }
            }

            Assert.True(checkpointer.RestartRequests > 0);
            length = new FileInfo(path + "-wal").Length;
        }

        // 2,100 committed pages: with final passes the log restarts every few rounds and stays near 64 frames
        // (about 0.3 MB); without them it holds every page.
        if (finalPasses)
        {
            Assert.True(length < 1_000_000, $"the log is {length:N0} bytes");
        }
        else
        {
            Assert.True(length > 8_000_000, $"the log is {length:N0} bytes");
        }

        Assert.Equal(2_100L, Scalar(writer, "SELECT count(*) FROM t"));
    }

    private static void Commit(SqliteConnection writer, SqliteCommand insert)
    {
        Execute(writer, "BEGIN");
        insert.ExecuteNonQuery();
        Execute(writer, "COMMIT");
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
