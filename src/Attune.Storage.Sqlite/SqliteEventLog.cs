using System.Runtime.CompilerServices;
using Attune.Core;
using Attune.Storage.Sqlite.Json;
using Attune.Storage.Sqlite.Writing;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite;

/// <summary>The event log in SQLite: integer columns, interned keys, group-committed appends.</summary>
internal sealed class SqliteEventLog(SqliteStore store) : IEventLog
{
    private const string SelectEvent = """
        SELECT e.event_key, i.key, t.name, e.value, e.ts, e.session, e.context, e.properties
        FROM events e
        LEFT JOIN item_map i ON i.id = e.item_id
        JOIN type_map t ON t.id = e.type_id
        WHERE e.seq IN (SELECT value FROM json_each($seqs)) AND e.user_id = $uid
        ORDER BY e.ts, e.seq
        """;

    private const string SelectAll = """
        SELECT e.event_key, i.key, t.name, e.value, e.ts, e.session, e.context, e.properties, e.user_id
        FROM events e
        LEFT JOIN item_map i ON i.id = e.item_id
        JOIN type_map t ON t.id = e.type_id
        ORDER BY e.seq
        """;

    public ValueTask<AppendResult> AppendAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        store.ThrowIfDisposed();
        if (events.Count == 0)
        {
            return ValueTask.FromResult(default(AppendResult));
        }

        EventValidation.Validate(events);
        return store.Writer.EnqueueAppend(events, cancellationToken);
    }

    public async IAsyncEnumerable<Event> ReadUserAsync(
        string userId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var c = await store.OpenReaderAsync(cancellationToken);
        await foreach (var e in ReadUserAsync(c, store.UserIndex, userId, cancellationToken))
        {
            yield return e;
        }
    }

    public async IAsyncEnumerable<Event> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var c = await store.OpenReaderAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(cancellationToken);

        // user_map is keyed by the text id; read it once rather than join on its integer id per row.
        var users = new Dictionary<long, string>();
        await using (var map = c.CreateCommand())
        {
            map.CommandText = "SELECT id, key FROM user_map";
            await using var m = await map.ExecuteReaderAsync(cancellationToken);
            while (await m.ReadAsync(cancellationToken))
            {
                users[m.GetInt64(0)] = m.GetString(1);
            }
        }

        await using var cmd = c.CreateCommand();
        cmd.CommandText = SelectAll;
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return new Event(
                r.IsDBNull(0) ? null : r.GetString(0),
                users.TryGetValue(r.GetInt64(8), out var user) ? user : r.GetInt64(8).ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.IsDBNull(1) ? null : r.GetString(1),
                r.GetString(2),
                r.IsDBNull(3) ? null : r.GetDouble(3),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                r.IsDBNull(5) ? null : r.GetString(5),
                JsonColumns.ReadContext(r.IsDBNull(6) ? null : r.GetString(6)),
                JsonColumns.ReadProperties(r.IsDBNull(7) ? null : r.GetString(7)));
        }
    }

    public Task<InteractionSnapshot> ReadSnapshotAsync(SnapshotRange? range = null, CancellationToken cancellationToken = default)
    {
        store.ThrowIfDisposed();
        return Task.Run(async () =>
        {
            await using var c = await store.OpenReaderAsync(cancellationToken);
            return SnapshotReader.Read(c, range, cancellationToken);
        }, cancellationToken);
    }

    public Task<EventStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        store.ThrowIfDisposed();
        return Task.FromResult(store.Counters.ToStats());
    }

    /// <summary>
    /// One user's events oldest first, on a connection the caller owns (export reads in its transaction): the
    /// user's sequence numbers come from the per-user index, the rows from the log (rows of another user under a
    /// reused number, or erased since, drop out on the user check).
    /// </summary>
    internal static async IAsyncEnumerable<Event> ReadUserAsync(
        SqliteConnection connection, UserEventIndex index, string userId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long uid;
        await using (var find = connection.CreateCommand())
        {
            find.CommandText = "SELECT id FROM user_map WHERE key = $user";
            find.Parameters.AddWithValue("$user", userId);
            if (await find.ExecuteScalarAsync(cancellationToken) is not long id)
            {
                yield break;
            }

            uid = id;
        }

        var sequences = index.SequencesOf(uid);
        if (sequences.Count == 0)
        {
            yield break;
        }

        await using var cmd = connection.CreateCommand();
        cmd.CommandText = SelectEvent;
        cmd.Parameters.AddWithValue("$seqs", UserEventIndex.ToJsonArray(sequences));
        cmd.Parameters.AddWithValue("$uid", uid);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return new Event(
                r.IsDBNull(0) ? null : r.GetString(0),
                userId,
                r.IsDBNull(1) ? null : r.GetString(1),
                r.GetString(2),
                r.IsDBNull(3) ? null : r.GetDouble(3),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                r.IsDBNull(5) ? null : r.GetString(5),
                JsonColumns.ReadContext(r.IsDBNull(6) ? null : r.GetString(6)),
                JsonColumns.ReadProperties(r.IsDBNull(7) ? null : r.GetString(7)));
        }
    }
}
