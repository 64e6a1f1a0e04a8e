using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>
/// A dictionary table (string key to integer id) cached in memory in full, owned by the writer. Ids are
/// assigned here, so interning a new key costs one prepared INSERT and no round trip for the id.
/// </summary>
internal sealed class KeyMap : IDisposable
{
    private readonly Dictionary<string, long> _ids;
    private readonly Dictionary<long, string>? _keys;
    private readonly RawStatement _insert;
    private readonly RawStatement _delete;
    private long _next;

    public KeyMap(SqliteConnection connection, string table, string keyColumn, bool keepReverse)
    {
        _ids = new Dictionary<string, long>(StringComparer.Ordinal);
        _keys = keepReverse ? [] : null;
        using (var load = connection.CreateCommand())
        {
            load.CommandText = $"SELECT id, {keyColumn} FROM {table}";
            using var r = load.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                var key = r.GetString(1);
                _ids[key] = id;
                _keys?.Add(id, key);
                _next = Math.Max(_next, id);
            }
        }

        _next++;
        _insert = new RawStatement(connection, $"INSERT INTO {table}(id, {keyColumn}) VALUES (?1, ?2)");
        _delete = new RawStatement(connection, $"DELETE FROM {table} WHERE {keyColumn} = ?1");
    }

    public int Count => _ids.Count;

    public bool TryGetId(string key, out long id) => _ids.TryGetValue(key, out id);

    public string NameOf(long id) =>
        _keys is not null && _keys.TryGetValue(id, out var k) ? k : throw new KeyNotFoundException($"No key with id {id}.");

    public IEnumerable<KeyValuePair<long, string>> Reverse => _keys ?? throw new InvalidOperationException("No reverse map kept.");

    public long GetOrAdd(string key, WriteScope scope) => GetOrAdd(key, scope, out _);

    public long GetOrAdd(string key, WriteScope scope, out bool added)
    {
        if (_ids.TryGetValue(key, out var id))
        {
            added = false;
            return id;
        }

        added = true;

        id = _next++;
        _insert.Bind(1, id);
        _insert.Bind(2, key);
        _insert.Execute();
        Add(key, id);
        scope.OnRollback(() => Remove(key, id));
        return id;
    }

    /// <summary>Deletes the key's row and forgets it; restored in memory if the request rolls back.</summary>
    public void Delete(string key, long id, WriteScope scope)
    {
        _delete.Bind(1, key);
        _delete.Execute();
        Remove(key, id);
        scope.OnRollback(() => Add(key, id));
    }

    public void Dispose()
    {
        _insert.Dispose();
        _delete.Dispose();
    }

    private void Add(string key, long id)
    {
        _ids[key] = id;
        _keys?.Add(id, key);
    }

    private void Remove(string key, long id)
    {
        _ids.Remove(key);
        _keys?.Remove(id);
    }
}
