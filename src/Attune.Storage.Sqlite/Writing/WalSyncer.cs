using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// Makes committed transactions durable off the writer's thread: the writer commits without an fsync
/// (<c>synchronous=NORMAL</c>) and hands the transaction's requests here; a syncer thread fsyncs the
/// write-ahead log and only then completes them. Requests are never acknowledged before an fsync that began
/// after their commit returned.
/// </summary>
/// <remarks>
/// With <c>synchronous=FULL</c> SQLite fsyncs inside COMMIT, so the single writer sits idle for the whole
/// fsync (milliseconds on a virtual disk) and the commit rate, not the CPU, caps ingestion: 64 single-event
/// clients cannot go faster than 64 events per fsync. Here the writer goes on with the next transaction
/// while earlier ones are being synced, and several fsyncs may be in flight at once (the syncers take every
/// transaction queued since they last looked), which block devices serve far better than one at a time.
/// <para>
/// Why this is as durable as <c>FULL</c>: an fsync of the log file writes every byte written to it before the
/// call, so it covers the commit frame of each transaction committed before it began (and of all earlier
/// ones). SQLite's own syncs at a checkpoint (the checkpointing connection keeps <c>FULL</c>) make the
/// database file durable before the log is reused from its start. A process crash (kill -9) loses nothing
/// that was committed, since the bytes are in the operating system's cache either way. The difference from
/// <c>FULL</c>: readers may see a transaction a few milliseconds before it is durable (never before its
/// writer's caller could); after a power loss such a transaction may be gone, but it was never acknowledged.
/// </para>
/// <para>Cost: one fsync per group of transactions, a lock and a thread wake-up per transaction.</para>
/// </remarks>
internal sealed partial class WalSyncer : IDisposable
{
    private const int Threads = 4;

    private readonly string _walPath;
    private readonly string _databasePath;
    private readonly object _gate = new();
    private readonly Lock _fileGate = new();
    private readonly Thread[] _threads;
    private List<WriteRequest> _pending = [];
    private SafeFileHandle? _wal;
    private bool _closed;
    private long _syncs;

    public WalSyncer(string databasePath)
    {
        _databasePath = databasePath;
        _walPath = databasePath + "-wal";
        _threads = new Thread[Threads];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = "attune-sqlite-sync" };
            _threads[i].Start();
        }
    }

    /// <summary>Test hook: runs on a syncer thread before each fsync.</summary>
    internal Action? BeforeSync { get; set; }

    /// <summary>How many fsyncs completed (diagnostics and tests).</summary>
    internal long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Queues committed requests; they complete after the next fsync that starts from now on.</summary>
    public void Add(List<WriteRequest> committed)
    {
        lock (_gate)
        {
            _pending.AddRange(committed);
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Syncs and completes everything queued, then stops the threads.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }

        foreach (var t in _threads)
        {
            t.Join();
        }

        _wal?.Dispose();
    }

    private void Run()
    {
        var taken = new List<WriteRequest>();
        while (true)
        {
            lock (_gate)
            {
                while (_pending.Count == 0)
                {
                    if (_closed)
                    {
                        return;
                    }

                    Monitor.Wait(_gate);
                }

                (taken, _pending) = (_pending, taken);
            }

            Exception? failure = null;
            try
            {
                BeforeSync?.Invoke();
                Sync();
                Interlocked.Increment(ref _syncs);
            }
            catch (Exception e)
            {
                // The transaction is committed but may not be durable: the caller must not take it as stored.
                failure = new IOException("The write-ahead log could not be synced to disk; the write may not be durable.", e);
            }

            if (failure is not null)
            {
                foreach (var r in taken)
                {
                    r.Error = failure;
                }
            }

            Completions.Dispatch(taken);
            taken.Clear();
        }
    }

    private void Sync()
    {
        var handle = Volatile.Read(ref _wal);
        if (handle is null)
        {
            lock (_fileGate)
            {
                if (_wal is null)
                {
                    if (!File.Exists(_walPath))
                    {
                        // No log (nothing was ever written through it): the commit went to the database file.
                        using var db = File.OpenHandle(_databasePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                        FlushData(db);
                        return;
                    }

                    // The log lives as long as the writer's connection (SQLite truncates it, never replaces it,
                    // while a connection is open), so one handle serves the store's lifetime.
                    _wal = File.OpenHandle(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                }

                handle = _wal;
            }
        }

        FlushData(handle);
    }

    /// <summary>
    /// fdatasync on Linux, like SQLite itself: the log's data without its modification time, which would cost a
    /// journal commit (a second device flush) per call; a full fsync elsewhere.
    /// </summary>
    private static void FlushData(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (FdDataSync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdDataSync(int fd);
}
