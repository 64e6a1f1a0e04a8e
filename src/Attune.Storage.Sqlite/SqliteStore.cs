using System.Globalization;
using Attune.Storage.Sqlite.Schema;
using Attune.Storage.Sqlite.Writing;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite database file (<c>attune.db</c>) in the data directory, in WAL mode.
/// Every write goes through one writer with group commit; reads use pooled connections and see a consistent
/// snapshot without blocking the writer.
/// </summary>
public sealed class SqliteStore : IAttuneStore
{
    private readonly string _readerConnectionString;
    private readonly SqliteConnection _writerConnection;
    private readonly SqliteWriter _writer;
    private readonly FileStream _lock;
    private readonly WalCheckpointer _checkpointer;
    private readonly UserEventIndex _userIndex;
    private int _disposed;

    private SqliteStore(string path, SqliteStoreOptions options, FileStream lockFile, SqliteConnection writerConnection, WriterContext context)
    {
        DatabasePath = path;
        _lock = lockFile;
        Options = options;
        _writerConnection = writerConnection;
        _readerConnectionString = ConnectionString(path, pooling: true);
        // FULL durability without an fsync inside COMMIT: the writer commits at NORMAL and the syncer fsyncs
        // the log before any caller is answered (WalSyncer), so the writer never waits for the disk.
        var syncer = options.Synchronous == SqliteSynchronous.Full ? new WalSyncer(path) : null;
        _checkpointer = new WalCheckpointer(ConnectionString(path, pooling: false));
        _writer = new SqliteWriter(context, options.MaxEventsPerCommit, syncer, _checkpointer);
        Counters = context.Counters;
        _userIndex = context.UserIndex;
        Events = new SqliteEventLog(this);
        Catalog = new SqliteCatalog(this);
        Users = new SqliteUserStore(this);
    }

    public string DatabasePath { get; }

    public SqliteStoreOptions Options { get; }

    public IEventLog Events { get; }

    public ICatalog Catalog { get; }

    public IUserStore Users { get; }

    internal SqliteWriter Writer => _writer;

    internal StoreCounters Counters { get; }

    internal UserEventIndex UserIndex => _userIndex;

    /// <summary>
    /// Writes the per-user index's in-memory tail (events of the last seconds) to its file now rather than at its
    /// next flush; for tools and benchmarks that must count that work.
    /// </summary>
    public Task FlushUserIndexAsync()
    {
        ThrowIfDisposed();
        return _userIndex.FlushAsync();
    }

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="dataDirectory"/> and migrates its schema.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database has a newer schema than this build understands.</exception>
    public static Task<SqliteStore> OpenAsync(
        string dataDirectory, SqliteStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        options ??= SqliteStoreOptions.Default;
        options.Validate();
        return Task.Run(() => Open(dataDirectory, options), cancellationToken);
    }

    public Task MigrateAsync(CancellationToken cancellationToken = default) =>
        _writer.Enqueue((c, _) =>
        {
            SqliteMigrations.Apply(c.Connection, DatabasePath);
            return true;
        }, 1, cancellationToken);

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenReaderAsync(cancellationToken);
        return SqliteMigrations.CurrentVersion(c);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        try
        {
            await using var c = await OpenReaderAsync(cancellationToken);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM schema_migrations";
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>Commits every queued write, then closes the database (which checkpoints the WAL).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync();
        _userIndex.Dispose();
        await _checkpointer.DisposeAsync();
        await _writerConnection.DisposeAsync();
        using (var forPool = new SqliteConnection(_readerConnectionString))
        {
            SqliteConnection.ClearPool(forPool);
        }

        await _lock.DisposeAsync();
    }

    internal async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var c = new SqliteConnection(_readerConnectionString);
        try
        {
            await c.OpenAsync(cancellationToken);
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static SqliteStore Open(string dataDirectory, SqliteStoreOptions options)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.GetFullPath(Path.Combine(dataDirectory, options.FileName));
        var lockFile = AcquireLock(path);

        // The writer's connection is not pooled: it lives as long as the store, and closing it must close the file.
        var connection = new SqliteConnection(ConnectionString(path, pooling: false));
        try
        {
            connection.Open();
            Configure(connection, options);
            Execute(connection, "BEGIN IMMEDIATE");
            try
            {
                SqliteMigrations.Apply(connection, path);
                Execute(connection, "COMMIT");
            }
            catch
            {
                Execute(connection, "ROLLBACK");
                throw;
            }

            var (userIndex, nextSeq) = UserEventIndex.Open(connection, path, options.SecureDelete, options.CacheSizeMb);
            WriterContext context;
            try
            {
                context = new WriterContext(connection, new StoreCounters(), userIndex, nextSeq);
            }
            catch
            {
                userIndex.Dispose();
                throw;
            }

            return new SqliteStore(path, options, lockFile, connection, context);
        }
        catch
        {
            connection.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One store per database: the writer caches the key dictionaries and assigns ids, so a second writer on
    /// the same file (another process, or a second instance here) would corrupt them. The lock is released
    /// by the operating system if the process dies.
    /// </summary>
    private static FileStream AcquireLock(string path)
    {
        try
        {
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"The database '{path}' is already open in another Attune process or store instance (lock file " +
                $"'{path}.lock'). Stop that process first, or use another data directory.", e);
        }
    }

    private static string ConnectionString(string path, bool pooling) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = pooling,
            DefaultTimeout = 30,
        }.ToString();

    private static void Configure(SqliteConnection connection, SqliteStoreOptions options)
    {
        Execute(connection, "PRAGMA journal_mode = WAL");
        // FULL is kept by the syncer, which fsyncs the log after each commit off the writer's thread (WalSyncer);
        // checkpoints still sync the log and the database file (NORMAL does, and the checkpointer runs at FULL).
        var synchronous = options.Synchronous == SqliteSynchronous.Full ? SqliteSynchronous.Normal : options.Synchronous;
        Execute(connection, $"PRAGMA synchronous = {(int)synchronous}");
        Execute(connection, $"PRAGMA cache_size = {-options.CacheSizeMb * 1024}");
        Execute(connection, "PRAGMA temp_store = MEMORY");

        // Checkpoints run on a background connection (WalCheckpointer), never inside the writer's commits.
        Execute(connection, "PRAGMA wal_autocheckpoint = 0");
        Execute(connection, $"PRAGMA secure_delete = {(options.SecureDelete ? 1 : 0)}");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
