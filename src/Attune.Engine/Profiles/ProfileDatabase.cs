using System.Globalization;
using Attune.Engine.Segments;
using Microsoft.Data.Sqlite;

namespace Attune.Engine.Profiles;

/// <summary>
/// The derived data of profiles and segments that cannot be rebuilt from the event log, in its own SQLite file
/// (<c>profiles.db</c> in the data folder, next to <c>attune.db</c>): predicted scores written back by behaviour
/// models, segment definitions, and each segment's size history. Profiles themselves are not stored: they are
/// rebuilt from the log at start. A separate file keeps this derived data out of the source-of-truth store's
/// schema and its single writer. Writes are small and serialized by a lock.
/// </summary>
public sealed class ProfileDatabase : IPredictionStore, ISegmentRepository, IDisposable
{
    public const string FileName = "profiles.db";
    private const int SchemaVersion = 1;
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private ProfileDatabase(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens (creating and migrating) <c>profiles.db</c> in <paramref name="dataDirectory"/>.</summary>
    public static ProfileDatabase Open(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDirectory, FileName));
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        try
        {
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA synchronous = NORMAL");
            Migrate(connection);
            return new ProfileDatabase(connection, path);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public IReadOnlyList<PredictionWrite> LoadPredictions()
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT user_id, name, score, model_version, at FROM predictions";
            using var r = cmd.ExecuteReader();
            var result = new List<PredictionWrite>();
            while (r.Read())
            {
                result.Add(new PredictionWrite(r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetString(3), ReadTime(r.GetString(4))));
            }

            return result;
        }
    }

    public void SavePredictions(IReadOnlyList<PredictionWrite> predictions)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO predictions(user_id, name, score, model_version, at) VALUES ($u, $n, $s, $v, $at)";
            var u = cmd.Parameters.Add("$u", SqliteType.Text);
            var n = cmd.Parameters.Add("$n", SqliteType.Text);
            var s = cmd.Parameters.Add("$s", SqliteType.Real);
            var v = cmd.Parameters.Add("$v", SqliteType.Text);
            var at = cmd.Parameters.Add("$at", SqliteType.Text);
            foreach (var p in predictions)
            {
                u.Value = p.UserId;
                n.Value = p.Name;
                s.Value = p.Score;
                v.Value = p.ModelVersion;
                at.Value = WriteTime(p.At);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    public void DeletePredictions(string userId)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "DELETE FROM predictions WHERE user_id = $u";
            cmd.Parameters.AddWithValue("$u", userId);
            cmd.ExecuteNonQuery();
        }
    }

    public IReadOnlyList<SegmentDefinition> LoadSegments()
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT name, rule, description, created, updated FROM segments ORDER BY name";
            using var r = cmd.ExecuteReader();
            var result = new List<SegmentDefinition>();
            while (r.Read())
            {
                result.Add(new SegmentDefinition(
                    r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), ReadTime(r.GetString(3)), ReadTime(r.GetString(4))));
            }

            return result;
        }
    }

    public void SaveSegment(SegmentDefinition segment)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO segments(name, rule, description, created, updated) VALUES ($n, $r, $d, $c, $u)";
            cmd.Parameters.AddWithValue("$n", segment.Name);
            cmd.Parameters.AddWithValue("$r", segment.Rule);
            cmd.Parameters.AddWithValue("$d", (object?)segment.Description ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$c", WriteTime(segment.Created));
            cmd.Parameters.AddWithValue("$u", WriteTime(segment.Updated));
            cmd.ExecuteNonQuery();
        }
    }

    public bool DeleteSegment(string name)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            using var sizes = _connection.CreateCommand();
            sizes.Transaction = tx;
            sizes.CommandText = "DELETE FROM segment_sizes WHERE name = $n";
            sizes.Parameters.AddWithValue("$n", name);
            sizes.ExecuteNonQuery();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM segments WHERE name = $n";
            cmd.Parameters.AddWithValue("$n", name);
            var deleted = cmd.ExecuteNonQuery() > 0;
            tx.Commit();
            return deleted;
        }
    }

    public void AppendSizes(IReadOnlyList<SegmentSize> sizes)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO segment_sizes(name, at, size) VALUES ($n, $at, $s)";
            var n = cmd.Parameters.Add("$n", SqliteType.Text);
            var at = cmd.Parameters.Add("$at", SqliteType.Integer);
            var s = cmd.Parameters.Add("$s", SqliteType.Integer);
            foreach (var size in sizes)
            {
                n.Value = size.Segment;
                at.Value = size.At.ToUnixTimeMilliseconds();
                s.Value = size.Size;
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    public IReadOnlyList<SegmentSize> LoadSizes(string name, int limit)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT at, size FROM (SELECT at, size FROM segment_sizes WHERE name = $n ORDER BY at DESC LIMIT $l) ORDER BY at";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$l", limit);
            using var r = cmd.ExecuteReader();
            var result = new List<SegmentSize>();
            while (r.Read())
            {
                result.Add(new SegmentSize(name, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetInt32(1)));
            }

            return result;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private static void Migrate(SqliteConnection c)
    {
        Execute(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        using var get = c.CreateCommand();
        get.CommandText = "SELECT max(version) FROM schema_version";
        var current = get.ExecuteScalar() is long v ? (int)v : 0;
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException($"'{FileName}' has schema version {current}, newer than this build understands ({SchemaVersion}).");
        }

        if (current < 1)
        {
            Execute(c, """
                BEGIN;
                CREATE TABLE predictions (
                    user_id TEXT NOT NULL, name TEXT NOT NULL, score REAL NOT NULL, model_version TEXT NOT NULL, at TEXT NOT NULL,
                    PRIMARY KEY (user_id, name)) WITHOUT ROWID;
                CREATE TABLE segments (name TEXT PRIMARY KEY, rule TEXT NOT NULL, description TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);
                CREATE TABLE segment_sizes (name TEXT NOT NULL, at INTEGER NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (name, at)) WITHOUT ROWID;
                INSERT INTO schema_version(version) VALUES (1);
                COMMIT;
                """);
        }
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static string WriteTime(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ReadTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
