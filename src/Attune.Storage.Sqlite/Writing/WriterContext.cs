using Attune.Core;
using Attune.Storage.Sqlite.Json;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite.Writing;

/// <summary>The writer connection, its prepared statements and the key caches; touched by the writer loop only.</summary>
internal sealed class WriterContext : IDisposable
{
    private readonly RawStatement _insertEvent;
    private readonly SqliteCommand _addTypeCount;
    private readonly SqliteParameter _pCountType;
    private readonly SqliteParameter _pCountDelta;
    private readonly SqliteCommand _setBounds;
    private readonly SqliteParameter _pFirst;
    private readonly SqliteParameter _pLast;
    private readonly SqliteCommand _clearBounds;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackTo;

    private readonly List<long> _txUsers = [];
    private readonly List<long> _txSequences = [];
    private long _nextSeq;

    /// <param name="userIndex">The per-user index the committed events are published to.</param>
    /// <param name="nextSeq">The first free event sequence number (<see cref="UserEventIndex.Open"/>).</param>
    public WriterContext(SqliteConnection connection, StoreCounters counters, UserEventIndex userIndex, long nextSeq)
    {
        Connection = connection;
        Counters = counters;
        UserIndex = userIndex;
        _nextSeq = nextSeq;
        Users = new KeyMap(connection, "user_map", "key", keepReverse: false);
        Items = new KeyMap(connection, "item_map", "key", keepReverse: false);
        Types = new KeyMap(connection, "type_map", "name", keepReverse: true);

        _insertEvent = new RawStatement(connection, """
            INSERT INTO events(user_id, item_id, type_id, value, ts, session, context, properties, event_key, seq)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            ON CONFLICT(event_key) WHERE event_key IS NOT NULL DO NOTHING
            """);

        _addTypeCount = Prepare("UPDATE type_map SET events = events + $d WHERE id = $id");
        _pCountDelta = _addTypeCount.Parameters.Add("$d", SqliteType.Integer);
        _pCountType = _addTypeCount.Parameters.Add("$id", SqliteType.Integer);

        _setBounds = Prepare("INSERT OR REPLACE INTO log_bounds(name, value) VALUES ('first', $f), ('last', $l)");
        _pFirst = _setBounds.Parameters.Add("$f", SqliteType.Integer);
        _pLast = _setBounds.Parameters.Add("$l", SqliteType.Integer);
        _clearBounds = Prepare("DELETE FROM log_bounds");

        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
        _savepoint = Prepare("SAVEPOINT request");
        _release = Prepare("RELEASE request");
        _rollbackTo = Prepare("ROLLBACK TO request");

        LoadCounters();
    }

    public SqliteConnection Connection { get; }

    public StoreCounters Counters { get; }

    public KeyMap Users { get; }

    public KeyMap Items { get; }

    public KeyMap Types { get; }

    /// <summary>The per-user index of the log (its own file and thread).</summary>
    public UserEventIndex UserIndex { get; }

    public void Begin() => _begin.ExecuteNonQuery();

    public void Savepoint() => _savepoint.ExecuteNonQuery();

    public void Release() => _release.ExecuteNonQuery();

    public void RollbackToSavepoint()
    {
        _rollbackTo.ExecuteNonQuery();
        _release.ExecuteNonQuery();
    }

    public void Rollback()
    {
        if (!Connection.AutoCommitMode())
        {
            _rollback.ExecuteNonQuery();
        }
    }

    /// <summary>Writes the counters of the transaction, commits (the fsync), then publishes the counters.</summary>
    public void Commit(StatsDelta batch)
    {
        var (first, last) = Counters.Bounds;
        var (oldFirst, oldLast) = (first, last);
        if (!batch.IsEmpty)
        {
            foreach (var (type, delta) in batch.EventsByType)
            {
                if (delta != 0)
                {
                    _pCountDelta.Value = delta;
                    _pCountType.Value = type;
                    _addTypeCount.ExecuteNonQuery();
                }
            }

            if (batch.RecomputeBounds)
            {
                (first, last) = ScanBounds();
            }
            else
            {
                first = Math.Min(first, batch.MinTs);
                last = Math.Max(last, batch.MaxTs);
            }

            if (first != oldFirst || last != oldLast)
            {
                WriteBounds(first, last);
            }
        }

        _commit.ExecuteNonQuery();

        // Before any caller of the transaction is answered, so a read after an acknowledgement finds its events.
        UserIndex.Publish(_txUsers, _txSequences);
        _txUsers.Clear();
        _txSequences.Clear();
        if (!batch.IsEmpty)
        {
            var byName = new List<KeyValuePair<string, long>>(batch.EventsByType.Count);
            foreach (var (type, delta) in batch.EventsByType)
            {
                byName.Add(new(Types.NameOf(type), delta));
            }

            Counters.Apply(byName, first, last, Users.Count, Items.Count);
        }
        else
        {
            Counters.Apply([], first, last, Users.Count, Items.Count);
        }
    }

    /// <summary>Stores a batch; the caller validated it. Runs inside the request's savepoint.</summary>
    public AppendResult Append(IReadOnlyList<Event> events, WriteScope scope)
    {
        var accepted = 0;
        List<int>? duplicates = null;
        var mark = _txUsers.Count;
        scope.OnRollback(() => ForgetFrom(mark));
        for (var n = 0; n < events.Count; n++)
        {
            var e = events[n];
            var typeId = Types.GetOrAdd(e.Type, scope);
            var ts = e.Timestamp.ToUnixTimeMilliseconds();
            var userId = Users.GetOrAdd(e.UserId, scope, out var newUser);
            var itemId = 0L;
            var newItem = false;
            var insert = _insertEvent;
            if (e.ItemId is not null)
            {
                itemId = Items.GetOrAdd(e.ItemId, scope, out newItem);
                insert.Bind(2, itemId);
            }
            else
            {
                insert.BindNull(2);
            }

            insert.Bind(1, userId);
            insert.Bind(3, typeId);
            insert.Bind(4, e.Value);
            insert.Bind(5, ts);
            insert.Bind(6, e.SessionId);
            BindJson(7, JsonColumns.TryWriteUtf8(e.Context, out var context), context);
            BindJson(8, JsonColumns.TryWriteUtf8(e.Properties, out var properties), properties);
            insert.Bind(9, e.Id);
            insert.Bind(10, _nextSeq);
            if (insert.Execute() == 1)
            {
                _txUsers.Add(userId);
                _txSequences.Add(_nextSeq++);
                accepted++;
                scope.Request.AddEvent(typeId, ts);
            }
            else
            {
                (duplicates ??= []).Add(n);
                // A duplicate must not leave a trace: un-intern a user or item that only it introduced.
                if (newUser)
                {
                    Users.Delete(e.UserId, userId, scope);
                }

                if (newItem)
                {
                    Items.Delete(e.ItemId!, itemId, scope);
                }
            }
        }

        return new AppendResult(accepted, events.Count - accepted) { DuplicateIndices = duplicates };
    }

    /// <summary>
    /// Every event sequence number of one user, for a write that changes all of their events: the index and its
    /// tail, plus the events earlier requests of the open transaction appended (published only at its commit).
    /// </summary>
    public List<long> SequencesOf(long user)
    {
        var result = UserIndex.SequencesOf(user);
        for (var i = 0; i < _txUsers.Count; i++)
        {
            if (_txUsers[i] == user)
            {
                result.Add(_txSequences[i]);
            }
        }

        return result;
    }

    /// <summary>A request rolled back: its events are not published to the per-user index.</summary>
    private void ForgetFrom(int mark)
    {
        _txUsers.RemoveRange(mark, _txUsers.Count - mark);
        _txSequences.RemoveRange(mark, _txSequences.Count - mark);
    }

    private void BindJson(int index, bool present, ReadOnlySpan<byte> utf8)
    {
        if (present)
        {
            _insertEvent.BindUtf8(index, utf8);
        }
        else
        {
            _insertEvent.BindNull(index);
        }
    }

    public SqliteCommand Command(string sql)
    {
        var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    public void Dispose()
    {
        Users.Dispose();
        Items.Dispose();
        Types.Dispose();
        _insertEvent.Dispose();
        foreach (var c in new[] { _addTypeCount, _setBounds, _clearBounds, _begin, _commit, _rollback, _savepoint, _release, _rollbackTo })
        {
            c.Dispose();
        }
    }

    private SqliteCommand Prepare(string sql)
    {
        var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    private (long First, long Last) ScanBounds()
    {
        using var cmd = Command("SELECT min(ts), max(ts) FROM events");
        using var r = cmd.ExecuteReader();
        r.Read();
        return r.IsDBNull(0) ? (long.MaxValue, long.MinValue) : (r.GetInt64(0), r.GetInt64(1));
    }

    private void WriteBounds(long first, long last)
    {
        if (first > last)
        {
            _clearBounds.ExecuteNonQuery();
            return;
        }

        _pFirst.Value = first;
        _pLast.Value = last;
        _setBounds.ExecuteNonQuery();
    }

    private void LoadCounters()
    {
        long first = long.MaxValue, last = long.MinValue;
        using (var cmd = Command("SELECT name, value FROM log_bounds"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                if (r.GetString(0) == "first")
                {
                    first = r.GetInt64(1);
                }
                else
                {
                    last = r.GetInt64(1);
                }
            }
        }

        var byType = new List<KeyValuePair<string, long>>();
        using (var cmd = Command("SELECT name, events FROM type_map WHERE events <> 0"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                byType.Add(new(r.GetString(0), r.GetInt64(1)));
            }
        }

        Counters.Apply(byType, first, last, Users.Count, Items.Count);
    }
}

internal static class SqliteConnectionExtensions
{
    /// <summary>True outside a transaction (sqlite3_get_autocommit).</summary>
    public static bool AutoCommitMode(this SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;
}
