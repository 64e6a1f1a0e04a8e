using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// Copies the write-ahead log back into the database file on its own connection and thread.
/// </summary>
/// <remarks>
/// SQLite's automatic checkpoint runs inside the commit that crosses the threshold, so the writer (and
/// every request waiting on its group commit) stalls while pages are copied and the database file is
/// fsync'd. The writer connection turns automatic checkpoints off, and this loop runs PASSIVE checkpoints,
/// which never block the writer, every <see cref="Interval"/>. When the log is fully copied, SQLite starts
/// writing it from the beginning again, so the file stays bounded. A final TRUNCATE checkpoint runs on dispose.
/// </remarks>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly SqliteConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WalCheckpointer(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();

        // A checkpoint at FULL syncs the log before copying it and the database file after, so the log is never
        // reused before what it held is durable in the database file (WalSyncer relies on it).
        using (var sync = _connection.CreateCommand())
        {
            sync.CommandText = "PRAGMA synchronous = FULL";
            sync.ExecuteNonQuery();
        }
        _loop = Task.Run(RunAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopping is the expected end of the loop.
        }

        try
        {
            Checkpoint("TRUNCATE");
        }
        catch (SqliteException)
        {
            // Another connection still reads; the next open checkpoints instead.
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            try
            {
                Checkpoint("PASSIVE");
            }
            catch (SqliteException)
            {
                // A busy database or a transient I/O error: the next tick tries again.
            }
        }
    }

    private void Checkpoint(string mode)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = $"PRAGMA wal_checkpoint({mode})";
        cmd.ExecuteNonQuery();
    }
}
