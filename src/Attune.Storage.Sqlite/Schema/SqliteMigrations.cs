using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite.Schema;

/// <summary>One step of the schema; applied once, in version order, and recorded in <c>schema_migrations</c>.</summary>
internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>The versioned schema of the SQLite store.</summary>
/// <remarks>
/// Users, items and event types are interned into dictionary tables (string key to integer id) so the event
/// log holds integers only; the snapshot reader then streams five integer/real columns. The user dictionary
/// is clustered on the key (WITHOUT ROWID): interning a new user is one B-tree insert, not two, and user
/// id-to-key is only needed by full scans (snapshots). Items keep an id index because per-user reads resolve
/// each event's item id to its key. The only indexes on
/// the log are the ones reads need: the event id (idempotency, partial: rows without an id cost nothing) and
/// the user for per-user reads and erasure (version 2; version 1 indexed (user, time)). Event counts per type and the first/last timestamps are kept
/// as counters so statistics never scan the log.
/// </remarks>
internal static class SqliteMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "initial schema", """
            CREATE TABLE user_map (key TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE item_map (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
            CREATE TABLE type_map (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, events INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                item_id INTEGER,
                type_id INTEGER NOT NULL,
                value REAL,
                ts INTEGER NOT NULL,
                session TEXT,
                context TEXT,
                properties TEXT,
                event_key TEXT);
            CREATE UNIQUE INDEX events_event_key ON events(event_key) WHERE event_key IS NOT NULL;
            CREATE INDEX events_user_ts ON events(user_id, ts);
            CREATE TABLE items (
                id TEXT PRIMARY KEY,
                title TEXT,
                categories TEXT,
                tags TEXT,
                text TEXT,
                price REAL,
                available INTEGER NOT NULL,
                created TEXT,
                updated TEXT,
                properties TEXT) WITHOUT ROWID;
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                attributes TEXT,
                personalization INTEGER NOT NULL,
                personalization_at TEXT,
                marketing INTEGER NOT NULL,
                marketing_at TEXT,
                created TEXT,
                updated TEXT) WITHOUT ROWID;
            CREATE TABLE log_bounds (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            """),

        // Every group commit rewrites each index page it touches into the write-ahead log, and the per-user
        // index is keyed at random with respect to arrival order, so it dominates the bytes each commit
        // fsyncs. Without the time the entries are about a third narrower (fewer pages, fewer rewritten);
        // per-user reads sort one user's rows by time instead (storage-probe and docs/storage.md).
        new(2, "narrow per-user index", """
            DROP INDEX events_user_ts;
            CREATE INDEX events_user ON events(user_id);
            """),

        // The per-user index moves to its own file, maintained off the writer's commits in large sorted
        // transactions (UserEventIndex); the store builds that file from the log when it opens. Erasure records
        // the user here until the index file has forgotten them too.
        new(3, "per-user index in its own file", """
            DROP INDEX events_user;
            CREATE TABLE user_index_purge (user_id INTEGER PRIMARY KEY);
            CREATE TABLE store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO store_meta(name, value) VALUES ('log_id', random());
            """),
    ];

    public static int LatestVersion => All[^1].Version;

    /// <summary>
    /// Brings the schema up to <see cref="LatestVersion"/>; a no-op when it is already there. The caller runs it
    /// inside a transaction, so a failing migration leaves the database as it was.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database was written by a newer version of Attune.</exception>
    public static void Apply(SqliteConnection connection, string databasePath)
    {
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL)
            """);
        var current = CurrentVersion(connection);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database '{databasePath}' has schema version {current}, newer than version {LatestVersion} " +
                "that this build of Attune understands. It was written by a newer Attune: upgrade Attune, or point it " +
                "at another data directory. The database was not modified.");
        }

        foreach (var m in All)
        {
            if (m.Version <= current)
            {
                continue;
            }

            Execute(connection, m.Sql);
            using var record = connection.CreateCommand();
            record.CommandText = "INSERT INTO schema_migrations(version, name, applied_at) VALUES ($v, $n, $t)";
            record.Parameters.AddWithValue("$v", m.Version);
            record.Parameters.AddWithValue("$n", m.Name);
            record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            record.ExecuteNonQuery();
        }
    }

    public static int CurrentVersion(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT coalesce(max(version), 0) FROM schema_migrations";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
