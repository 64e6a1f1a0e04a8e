using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// The per-user index of the event log (user id to event sequence numbers), kept in its own database file next
/// to the store's and maintained on its own thread in large sorted transactions, off the writer's commits.
/// </summary>
/// <remarks>
/// Why not an index on the events table: the writer commits small groups (one per fsync), and an index keyed by
/// user is touched at random, so every group commit rewrote about one index page per event into the write-ahead
/// log, the largest part of each commit's cost (<c>storage-probe</c>: 204,000 rows/s with it at 2,000 rows per
/// commit against 587,000 without). Here the writer publishes each committed transaction's (user, sequence)
/// pairs to an in-memory tail; this thread sorts them and writes them in one transaction per
/// <see cref="FlushEntries"/> (or after <see cref="FlushAfter"/>), where neighbouring entries share pages, on
/// the second core.
/// <para>
/// Reads (<see cref="SequencesOf"/>) copy the user's part of the tail first and then read the file: an entry
/// leaves the tail only after the transaction that wrote it to the file committed, so every published entry is
/// in one or the other (possibly both). The file's <c>indexed_upto</c> is written in the same transaction as
/// the entries it covers; after a crash the store indexes the events past it when it opens
/// (<see cref="Open"/>), so the file is derived data that can always be rebuilt from the log (deleting it
/// rebuilds it in full). Erasure deletes the user's events through this index, records the user in the
/// log's <c>user_index_purge</c> table in the same transaction, and purges the user's entries here afterwards
/// (<see cref="PurgeAsync"/>); a purge interrupted by a crash is finished when the store opens.
/// </para>
/// </remarks>
internal sealed class UserEventIndex : IDisposable
{
    /// <summary>Entries published before the thread writes a transaction.</summary>
    internal const int FlushEntries = 262_144;

    /// <summary>Longest an entry waits in the tail when fewer than <see cref="FlushEntries"/> are published.</summary>
    internal static readonly TimeSpan FlushAfter = TimeSpan.FromSeconds(2);

    /// <summary>Entries read from the log per transaction when the store opens (bounds the memory of a rebuild).</summary>
    private const int OpenChunk = 4_000_000;

    private readonly string _readConnectionString;
    private readonly SqliteConnection _connection;
    private readonly RawStatement _insert;
    private readonly RawStatement _purge;
    private readonly RawStatement _setUpto;
    private readonly object _gate = new();
    private readonly Dictionary<long, List<long>> _tail = [];
    private readonly List<(long User, TaskCompletionSource Done)> _purges = [];
    private readonly List<TaskCompletionSource> _flushes = [];
    private readonly Thread _thread;
    private List<Entry> _published = [];
    private long _firstPublishedAt;
    private bool _closed;
    private bool _held;
    private long _indexedUpto;
    private long _transactions;
    private Exception? _failure;

    private UserEventIndex(string path, SqliteConnection connection, long indexedUpto)
    {
        Path = path;
        _connection = connection;
        _indexedUpto = indexedUpto;
        _readConnectionString = ConnectionString(path, pooling: true, readOnly: true);
        _insert = new RawStatement(connection, "INSERT OR IGNORE INTO user_events(user_id, seq) VALUES (?1, ?2)");
        _purge = new RawStatement(connection, "DELETE FROM user_events WHERE user_id = ?1");
        _setUpto = new RawStatement(connection, "INSERT OR REPLACE INTO meta(name, value) VALUES ('indexed_upto', ?1)");
        _thread = new Thread(Run) { IsBackground = true, Name = "attune-user-index" };
    }

    /// <summary>The index's database file.</summary>
    public string Path { get; }

    /// <summary>The highest event sequence number the file covers (every lower one is in it or in the tail).</summary>
    internal long IndexedUpto => Interlocked.Read(ref _indexedUpto);

    /// <summary>Transactions written by the thread (diagnostics and tests).</summary>
    internal long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>Entries published and not yet in the file.</summary>
    internal int TailCount
    {
        get
        {
            lock (_gate)
            {
                return _published.Count;
            }
        }
    }

    /// <summary>The index file that belongs to the store database <paramref name="databasePath"/>.</summary>
    public static string PathFor(string databasePath) =>
        System.IO.Path.Combine(
            System.IO.Path.GetDirectoryName(databasePath) ?? ".",
            System.IO.Path.GetFileNameWithoutExtension(databasePath) + ".user-index.db");

    /// <summary>
    /// Opens (creating if needed) the index of the log on <paramref name="log"/> (the writer's connection, outside a
    /// transaction), finishes purges an earlier process left, and indexes every event past the file's
    /// <c>indexed_upto</c> (all of them for a new file).
    /// </summary>
    /// <returns>The index and the next free event sequence number: above every event and every indexed entry,
    /// so a number is never used twice, not even after the newest events were erased.</returns>
    /// <param name="cacheSizeMb">Page cache of the index's connection: a transaction touches most of the file's pages,
    /// so the file should fit.</param>
    public static (UserEventIndex Index, long NextSeq) Open(SqliteConnection log, string databasePath, bool secureDelete, int cacheSizeMb)
    {
        var path = PathFor(databasePath);
        var connection = new SqliteConnection(ConnectionString(path, pooling: false, readOnly: false));
        try
        {
            connection.Open();
            Execute(connection, $"""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                PRAGMA secure_delete = {(secureDelete ? 1 : 0)};
                PRAGMA cache_size = {-cacheSizeMb * 1024};
                CREATE TABLE IF NOT EXISTS user_events (user_id INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (user_id, seq)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                """);
            // An index file of another log (a database file restored or replaced beside it) is rebuilt.
            var logId = Scalar(log, "SELECT value FROM store_meta WHERE name = 'log_id'") ?? 0;
            if (Scalar(connection, "SELECT value FROM meta WHERE name = 'log_id'") != logId)
            {
                Execute(connection, $"""
                    BEGIN IMMEDIATE;
                    DELETE FROM user_events;
                    DELETE FROM meta;
                    INSERT INTO meta(name, value) VALUES ('log_id', {logId.ToString(CultureInfo.InvariantCulture)});
                    COMMIT;
                    """);
            }

            var upto = Scalar(connection, "SELECT value FROM meta WHERE name = 'indexed_upto'") ?? 0;

            // Purges recorded by erasures whose index purge did not run (the process stopped in between).
            var pending = new List<long>();
            using (var cmd = log.CreateCommand())
            {
                cmd.CommandText = "SELECT user_id FROM user_index_purge";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    pending.Add(r.GetInt64(0));
                }
            }

            var maxSeq = Scalar(log, "SELECT max(seq) FROM events") ?? 0;
            var index = new UserEventIndex(path, connection, upto);
            try
            {
                index.WriteAtOpen(log, pending, upto, maxSeq);
                index._thread.Start();
            }
            catch
            {
                index.Dispose();
                throw;
            }

            if (pending.Count > 0)
            {
                Execute(log, "DELETE FROM user_index_purge");
            }

            return (index, Math.Max(upto, maxSeq) + 1);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds the entries of a committed transaction (called by the writer after COMMIT, before any of its callers is
    /// answered). The lists may be reused at once.
    /// </summary>
    public void Publish(List<long> users, List<long> sequences)
    {
        if (users.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            // The thread sleeps without a deadline while nothing is published: the first entry starts its clock.
            var wake = _published.Count == 0;
            if (wake)
            {
                _firstPublishedAt = Stopwatch.GetTimestamp();
            }

            for (var i = 0; i < users.Count; i++)
            {
                _published.Add(new Entry(users[i], sequences[i]));
                ref var list = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_tail, users[i], out _);
                (list ??= new List<long>(2)).Add(sequences[i]);
            }

            if (wake || _published.Count >= FlushEntries)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>
    /// The sequence numbers of one user's events: the published tail first, then the file. Unordered; may repeat
    /// a number that moved from the tail to the file meanwhile, and may name events erased since.
    /// </summary>
    public List<long> SequencesOf(long user)
    {
        var result = new List<long>();
        lock (_gate)
        {
            if (_tail.TryGetValue(user, out var tail))
            {
                result.AddRange(tail);
            }
        }

        using var c = new SqliteConnection(_readConnectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT seq FROM user_events WHERE user_id = $u";
        cmd.Parameters.AddWithValue("$u", user);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            result.Add(r.GetInt64(0));
        }

        return result;
    }

    /// <summary>As a JSON array for <c>json_each</c>, sorted and without repeats.</summary>
    public static string ToJsonArray(List<long> sequences)
    {
        sequences.Sort();
        var sb = new System.Text.StringBuilder(sequences.Count * 8 + 2).Append('[');
        long previous = long.MinValue;
        foreach (var s in sequences)
        {
            if (s == previous)
            {
                continue;
            }

            if (sb.Length > 1)
            {
                sb.Append(',');
            }

            sb.Append(s.ToString(CultureInfo.InvariantCulture));
            previous = s;
        }

        return sb.Append(']').ToString();
    }

    /// <summary>
    /// Removes every entry of an erased user, from the tail at once and from the file in the thread's next
    /// transaction; completes when that transaction committed.
    /// </summary>
    public Task PurgeAsync(long user)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(nameof(SqliteStore), "The store is closed.");
            }

            _tail.Remove(user);
            _purges.Add((user, done));
            Monitor.Pulse(_gate);
        }

        return done.Task;
    }

    /// <summary>Writes every entry published so far to the file now; completes when that transaction committed.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_closed)
            {
                return Task.CompletedTask;
            }

            _flushes.Add(done);
            Monitor.Pulse(_gate);
        }

        return done.Task;
    }

    /// <summary>Test hook: while held, published entries stay in the tail (purges and closing still write).</summary>
    internal void HoldFlushes(bool hold)
    {
        lock (_gate)
        {
            _held = hold;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Writes what is published, stops the thread and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.Pulse(_gate);
        }

        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        _insert.Dispose();
        _purge.Dispose();
        _setUpto.Dispose();
        try
        {
            Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        catch (SqliteException)
        {
            // A reader still holds the log; the next open checkpoints it.
        }

        _connection.Dispose();
        using var forPool = new SqliteConnection(_readConnectionString);
        SqliteConnection.ClearPool(forPool);
    }

    private void Run()
    {
        var batch = new List<Entry>();
        var purges = new List<(long User, TaskCompletionSource Done)>();
        var flushes = new List<TaskCompletionSource>();
        while (true)
        {
            bool closing;
            lock (_gate)
            {
                while (true)
                {
                    closing = _closed;
                    if (closing || _purges.Count > 0 || _flushes.Count > 0 || (!_held && _published.Count >= FlushEntries))
                    {
                        break;
                    }

                    if (_published.Count == 0 || _held)
                    {
                        Monitor.Wait(_gate);
                        continue;
                    }

                    var left = FlushAfter - Stopwatch.GetElapsedTime(_firstPublishedAt);
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    Monitor.Wait(_gate, left);
                }

                (batch, _published) = (_published, batch);
                purges.AddRange(_purges);
                _purges.Clear();
                flushes.AddRange(_flushes);
                _flushes.Clear();
            }

            if (batch.Count > 0 || purges.Count > 0)
            {
                Write(batch, purges);
            }

            foreach (var done in flushes)
            {
                done.TrySetResult();
            }

            flushes.Clear();

            batch.Clear();
            purges.Clear();
            if (closing)
            {
                lock (_gate)
                {
                    if (_published.Count == 0 && _purges.Count == 0)
                    {
                        return;
                    }
                }
            }
        }
    }

    /// <summary>One transaction: the purges, then the batch in key order; then the tail forgets the batch.</summary>
    private void Write(List<Entry> batch, List<(long User, TaskCompletionSource Done)> purges)
    {
        try
        {
            if (_failure is null)
            {
                WriteTransaction(batch, purges, batch.Count > 0 ? batch[^1].Seq : 0);
            }
        }
        catch (Exception e)
        {
            // The entries stay in the tail (reads still find them) and the next open indexes them from the log.
            _failure = e;
        }

        lock (_gate)
        {
            if (_failure is null)
            {
                // The batch is sorted by user, and each user's entries in it are the oldest of the user's tail list
                // (published in sequence order, all before the batch was taken): drop that prefix.
                for (var i = 0; i < batch.Count;)
                {
                    var user = batch[i].User;
                    var n = 0;
                    for (; i < batch.Count && batch[i].User == user; i++)
                    {
                        n++;
                    }

                    if (_tail.TryGetValue(user, out var list))
                    {
                        list.RemoveRange(0, Math.Min(n, list.Count));
                        if (list.Count == 0)
                        {
                            _tail.Remove(user);
                        }
                    }
                }
            }
            else
            {
                // Keep them in the tail for reads; stop growing the queue.
                _published.Clear();
            }
        }

        foreach (var (_, done) in purges)
        {
            if (_failure is null)
            {
                done.TrySetResult();
            }
            else
            {
                done.TrySetException(new IOException("The per-user event index could not be written; it is rebuilt from the log when the store opens.", _failure));
            }
        }
    }

    private void WriteTransaction(List<Entry> batch, List<(long User, TaskCompletionSource Done)> purges, long upto)
    {
        HashSet<long>? purged = null;
        foreach (var (user, _) in purges)
        {
            (purged ??= []).Add(user);
        }

        batch.Sort();
        Execute(_connection, "BEGIN IMMEDIATE");
        try
        {
            if (purged is not null)
            {
                foreach (var user in purged)
                {
                    _purge.Bind(1, user);
                    _purge.Execute();
                }
            }

            foreach (var e in batch)
            {
                if (purged is not null && purged.Contains(e.User))
                {
                    continue;
                }

                _insert.Bind(1, e.User);
                _insert.Bind(2, e.Seq);
                _insert.Execute();
            }

            if (upto > IndexedUpto)
            {
                _setUpto.Bind(1, upto);
                _setUpto.Execute();
            }

            Execute(_connection, "COMMIT");
        }
        catch
        {
            Execute(_connection, "ROLLBACK");
            throw;
        }

        if (upto > IndexedUpto)
        {
            Interlocked.Exchange(ref _indexedUpto, upto);
        }

        Interlocked.Increment(ref _transactions);
    }

    /// <summary>
    /// At open, before the writer starts: the pending purges, then the events committed to the log after the last
    /// index transaction (all of them for a new file), in chunks of <see cref="OpenChunk"/>.
    /// </summary>
    private void WriteAtOpen(SqliteConnection log, List<long> pending, long upto, long maxSeq)
    {
        var purges = pending.Select(u => (u, new TaskCompletionSource())).ToList();
        WriteTransaction([], purges, 0);
        var chunk = new List<Entry>();
        while (upto < maxSeq)
        {
            chunk.Clear();
            using (var cmd = log.CreateCommand())
            {
                cmd.CommandText = "SELECT user_id, seq FROM events WHERE seq > $from ORDER BY seq LIMIT $n";
                cmd.Parameters.AddWithValue("$from", upto);
                cmd.Parameters.AddWithValue("$n", OpenChunk);
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    chunk.Add(new Entry(r.GetInt64(0), r.GetInt64(1)));
                }
            }

            var next = chunk.Count < OpenChunk ? maxSeq : chunk[^1].Seq;
            WriteTransaction(chunk, [], next);
            upto = next;
        }
    }

    private static string ConnectionString(string path, bool pooling, bool readOnly) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = pooling,
            DefaultTimeout = 30,
        }.ToString();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static long? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        var v = cmd.ExecuteScalar();
        return v is null or DBNull ? null : Convert.ToInt64(v, CultureInfo.InvariantCulture);
    }

    /// <summary>One index entry; ordered by user, then sequence (the file's key order).</summary>
    private readonly record struct Entry(long User, long Seq) : IComparable<Entry>
    {
        public int CompareTo(Entry other) => User != other.User ? User.CompareTo(other.User) : Seq.CompareTo(other.Seq);
    }
}
