using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// Copies the write-ahead log back into the database file on its own connection and thread, and keeps the log
/// from growing without bound under continuous writes.
/// </summary>
/// <remarks>
/// SQLite's automatic checkpoint runs inside the commit that crosses the threshold, so the writer (and
/// every request waiting on its group commit) stalls while pages are copied and the database file is
/// fsync'd. The writer connection turns automatic checkpoints off, and this loop runs PASSIVE checkpoints,
/// which never block the writer. A final TRUNCATE checkpoint runs on dispose.
/// <para>
/// Restarting the log: SQLite writes the log from its start again only when a write transaction begins after
/// a checkpoint has copied <em>every</em> frame. A background checkpoint never manages that while commits keep
/// coming (each pass copies the frames that existed when it began, and the writer appends more meanwhile), so
/// under sustained ingestion the log grew by every commit's pages: hundreds of megabytes in a few seconds, each
/// frame written to a fresh page of the file (allocated and zero-filled by the kernel) and every page lookup of
/// the writer searching a longer log index. So once the log is past <see cref="RestartFrames"/> and a pass
/// leaves at most <see cref="FinalPassFrames"/> frames behind (or, once the log is four times
/// <see cref="RestartFrames"/> long, whatever a pass left), this asks the writer for a final pass
/// (<see cref="RunFinalPassIfRequested"/>): the writer runs it between two transactions, when no frame can be
/// added, so it copies everything, and the next transaction writes the log from its start over pages the
/// kernel already holds. The writer's pause is that final pass: a few milliseconds of copying and one fsync
/// of the database file.
/// </para>
/// </remarks>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>Log length (frames of one page each) past which the log is restarted: 32 MB with 4 KB pages.</summary>
    internal const int RestartFrames = 8_192;

    /// <summary>Most frames a pass may leave for the writer's final pass.</summary>
    internal const int FinalPassFrames = 2_048;

    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(200);

    // While the log is long, passes follow each other closely so each leaves little behind.
    private static readonly TimeSpan CatchUpInterval = TimeSpan.FromMilliseconds(10);

    private readonly SqliteConnection _connection;
    private readonly int _restartFrames;
    private readonly int _finalPassFrames;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private const int Idle = 0;
    private const int Requested = 1;
    private const int Running = 2;

    // Idle, Requested (by this loop, which then runs no pass of its own: one would make the writer's return BUSY),
    // or Running (the writer's final pass).
    private int _restart;
    private long _requestedAt;
    private long _restarts;

    /// <param name="connectionString">A connection to the store's database (its own, not pooled).</param>
    /// <param name="restartFrames">See <see cref="RestartFrames"/> (tests use small values).</param>
    /// <param name="finalPassFrames">See <see cref="FinalPassFrames"/>.</param>
    /// <param name="interval">Time between passes while the log is short; 200 ms by default, and
    /// <see cref="Timeout.InfiniteTimeSpan"/> for no background loop (tests call <see cref="PassOnce"/>).</param>
    public WalCheckpointer(string connectionString, int restartFrames = RestartFrames, int finalPassFrames = FinalPassFrames, TimeSpan? interval = null)
    {
        _interval = interval ?? DefaultInterval;
        _restartFrames = restartFrames;
        _finalPassFrames = finalPassFrames;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();

        // A checkpoint at FULL syncs the log before copying it and the database file after, so the log is never
        // reused before what it held is durable in the database file (WalSyncer relies on it).
        using (var sync = _connection.CreateCommand())
        {
            sync.CommandText = "PRAGMA synchronous = FULL";
            sync.ExecuteNonQuery();
        }
        _loop = _interval == Timeout.InfiniteTimeSpan ? Task.CompletedTask : Task.Run(RunAsync);
    }

    /// <summary>How many final passes the writer was asked for (diagnostics and tests).</summary>
    internal long RestartRequests => Interlocked.Read(ref _restarts);

    /// <summary>
    /// Runs a final pass on <paramref name="writerConnection"/> if this loop asked for one (it found the log long
    /// and nearly copied). The writer calls it between transactions, when no frame can be added, so the pass
    /// copies every frame and the next write transaction restarts the log.
    /// </summary>
    /// <returns>Whether a pass ran.</returns>
    public bool RunFinalPassIfRequested(SqliteConnection writerConnection)
    {
        if (Volatile.Read(ref _restart) != Requested || Interlocked.CompareExchange(ref _restart, Running, Requested) != Requested)
        {
            return false;
        }

        try
        {
            Passive(writerConnection);
        }
        finally
        {
            Volatile.Write(ref _restart, Idle);
        }

        return true;
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
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            cmd.ExecuteNonQuery();
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
        while (true)
        {
            var wait = _interval;
            var state = Volatile.Read(ref _restart);
            if (state != Idle)
            {
                // The writer has not taken the request yet (or is running it). A writer that stays idle leaves it
                // pending; after a second this loop takes it back and goes on with its own passes.
                if (state == Requested && Stopwatch.GetElapsedTime(Volatile.Read(ref _requestedAt)) > TimeSpan.FromSeconds(1))
                {
                    Interlocked.CompareExchange(ref _restart, Idle, Requested);
                }

                await Task.Delay(CatchUpInterval, _stop.Token);
                continue;
            }

            try
            {
                if (PassOnce() >= _restartFrames)
                {
                    wait = CatchUpInterval;
                }
            }
            catch (SqliteException)
            {
                // A transient I/O error: the next tick tries again.
            }

            await Task.Delay(wait, _stop.Token);
        }
    }

    /// <summary>One background pass; asks the writer for a final pass when the log is long and (nearly) copied.</summary>
    /// <returns>The frames in the log, -1 when another checkpoint was running.</returns>
    internal int PassOnce()
    {
        var (log, copied) = Passive(_connection);
        if (log >= _restartFrames && copied >= 0
            && (log - copied <= _finalPassFrames || log >= 4 * _restartFrames)) // past 4x regardless: bounded whatever the pace
        {
            Volatile.Write(ref _requestedAt, Stopwatch.GetTimestamp());
            if (Interlocked.CompareExchange(ref _restart, Requested, Idle) == Idle)
            {
                Interlocked.Increment(ref _restarts);
            }
        }

        return log;
    }

    /// <returns>Frames in the log and frames copied, or (-1, -1) when another checkpoint was running.</returns>
    private static (int Log, int Copied) Passive(SqliteConnection connection)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out var copied);
        if (rc == raw.SQLITE_BUSY || rc == raw.SQLITE_LOCKED)
        {
            return (-1, -1);
        }

        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(connection.Handle).utf8_to_string(), rc);
        }

        return (log, copied);
    }
}
