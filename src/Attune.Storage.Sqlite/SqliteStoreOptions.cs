namespace Attune.Storage.Sqlite;

/// <summary>How hard SQLite works to make a commit durable (the <c>synchronous</c> pragma).</summary>
public enum SqliteSynchronous
{
    /// <summary>No fsync: an operating-system crash or power loss may lose acknowledged events.</summary>
    Off = 0,

    /// <summary>WAL is fsync'd only at checkpoints: survives a process crash, not a power loss.</summary>
    Normal = 1,

    /// <summary>Every commit fsyncs the WAL: acknowledged events survive power loss (the default).</summary>
    Full = 2,
}

/// <summary>Tuning of the embedded SQLite store.</summary>
/// <param name="Synchronous">Durability of each commit; <see cref="SqliteSynchronous.Full"/> by default.</param>
/// <param name="CacheSizeMb">Page cache of the writer connection; the event-id index should fit in it.</param>
/// <param name="MaxEventsPerCommit">Group commit stops draining queued requests once this many events are in the transaction.</param>
/// <param name="SecureDelete">Overwrite deleted rows with zeros, so an erased user leaves no bytes behind in free pages.</param>
/// <param name="FileName">The database file inside the data directory.</param>
/// <param name="UserCacheCapacity">
/// Most users (and unknown ids) whose record is kept in memory between reads; writes through this store drop theirs.
/// 0 reads every user from the database.
/// </param>
public sealed record SqliteStoreOptions(
    SqliteSynchronous Synchronous = SqliteSynchronous.Full,
    int CacheSizeMb = 64,
    int MaxEventsPerCommit = 100_000,
    bool SecureDelete = true,
    string FileName = "attune.db",
    int UserCacheCapacity = 100_000)
{
    public static SqliteStoreOptions Default { get; } = new();

    internal void Validate()
    {
        if (CacheSizeMb < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CacheSizeMb), CacheSizeMb, "CacheSizeMb must be at least 1.");
        }

        if (MaxEventsPerCommit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEventsPerCommit), MaxEventsPerCommit, "MaxEventsPerCommit must be at least 1.");
        }

        if (UserCacheCapacity < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(UserCacheCapacity), UserCacheCapacity, "UserCacheCapacity must be 0 (no cache) or more.");
        }

        if (string.IsNullOrWhiteSpace(FileName) || FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"FileName '{FileName}' is not a valid file name.", nameof(FileName));
        }
    }
}
