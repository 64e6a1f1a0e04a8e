using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// A prepared statement driven through the native API (bind, step, reset) for the writer's per-row
/// statements. <see cref="SqliteCommand.ExecuteNonQuery()"/> builds a data reader, boxes every parameter
/// value and re-checks its type on each call; for a one-row INSERT that is about as much CPU as SQLite's own
/// work (measured with <c>storage-probe</c>), so the hot inserts bypass it. Parameters are 1-based positions.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _stmt);
        if (rc != raw.SQLITE_OK)
        {
            throw Error(rc);
        }
    }

    public void Bind(int index, long value) => raw.sqlite3_bind_int64(_stmt, index, value);

    public void Bind(int index, double? value)
    {
        if (value is { } v)
        {
            raw.sqlite3_bind_double(_stmt, index, v);
        }
        else
        {
            raw.sqlite3_bind_null(_stmt, index);
        }
    }

    /// <summary>Binds UTF-16 text (SQLite converts it; no managed copy), or NULL.</summary>
    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(_stmt, index);
        }
        else
        {
            raw.sqlite3_bind_text16(_stmt, index, value.AsSpan());
        }
    }

    /// <summary>Binds UTF-8 text (copied by SQLite, so the buffer may be reused at once).</summary>
    public void BindUtf8(int index, ReadOnlySpan<byte> utf8) => raw.sqlite3_bind_text(_stmt, index, utf8);

    public void BindNull(int index) => raw.sqlite3_bind_null(_stmt, index);

    /// <summary>Runs the statement to completion and returns the number of rows it changed.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            var error = Error(rc);
            raw.sqlite3_reset(_stmt);
            throw error;
        }

        raw.sqlite3_reset(_stmt);
        return raw.sqlite3_changes(_db);
    }

    public void Dispose() => _stmt.Dispose();

    private SqliteException Error(int rc) =>
        new(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
}
