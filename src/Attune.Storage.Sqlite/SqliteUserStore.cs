using Attune.Core;
using Attune.Storage.Sqlite.Json;
using Attune.Storage.Sqlite.Writing;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite;

/// <summary>
/// Users and the privacy operations; erasure runs on the writer, so no append can interleave with it. Reads of one
/// user go through a <see cref="UserReadCache"/> (the serving path asks for the same users' consent on every request);
/// upserts and erasures drop the ids they wrote once they are over.
/// </summary>
internal sealed class SqliteUserStore(SqliteStore store) : IUserStore
{
    private const string Columns = "id, attributes, personalization, personalization_at, marketing, marketing_at, created, updated";
    private readonly UserReadCache _cache = new(store.Options.UserCacheCapacity);

    public Task UpsertAsync(IReadOnlyList<User> users, CancellationToken cancellationToken = default)
    {
        store.ThrowIfDisposed();
        for (var i = 0; i < users.Count; i++)
        {
            var u = users[i] ?? throw new ArgumentException($"users[{i}] is null.", $"users[{i}]");
            if (!Ids.IsValid(u.Id))
            {
                throw new ArgumentException($"users[{i}].id must be 1-256 characters without control characters.", $"users[{i}].id");
            }
        }

        if (users.Count == 0)
        {
            return Task.CompletedTask;
        }

        return _cache.WriteAsync(IdsOf(users), () => store.Writer.Enqueue((c, _) =>
        {
            using var cmd = c.Command($"INSERT OR REPLACE INTO users({Columns}) VALUES ($id, $attr, $p, $pat, $m, $mat, $created, $updated)");
            var id = cmd.Parameters.Add("$id", SqliteType.Text);
            var attr = cmd.Parameters.Add("$attr", SqliteType.Text);
            var p = cmd.Parameters.Add("$p", SqliteType.Integer);
            var pat = cmd.Parameters.Add("$pat", SqliteType.Text);
            var m = cmd.Parameters.Add("$m", SqliteType.Integer);
            var mat = cmd.Parameters.Add("$mat", SqliteType.Text);
            var created = cmd.Parameters.Add("$created", SqliteType.Text);
            var updated = cmd.Parameters.Add("$updated", SqliteType.Text);
            cmd.Prepare();
            foreach (var u in users)
            {
                id.Value = u.Id;
                attr.Value = (object?)JsonColumns.Write(u.Attributes) ?? DBNull.Value;
                p.Value = u.Consent.Personalization.Granted ? 1 : 0;
                pat.Value = (object?)JsonColumns.WriteTime(u.Consent.Personalization.At) ?? DBNull.Value;
                m.Value = u.Consent.Marketing.Granted ? 1 : 0;
                mat.Value = (object?)JsonColumns.WriteTime(u.Consent.Marketing.At) ?? DBNull.Value;
                created.Value = (object?)JsonColumns.WriteTime(u.Created) ?? DBNull.Value;
                updated.Value = (object?)JsonColumns.WriteTime(u.Updated) ?? DBNull.Value;
                cmd.ExecuteNonQuery();
            }

            return users.Count;
        }, users.Count, cancellationToken));
    }

    public Task<User?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        store.ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(id);
        return _cache.GetAsync(id, LoadAsync, cancellationToken);
    }

    public async IAsyncEnumerable<User> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var c = await store.OpenReaderAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM users ORDER BY id";
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            yield return Read(r);
        }
    }

    public Task<bool> EraseAsync(string id, CancellationToken cancellationToken = default)
    {
        store.ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(id);
        return _cache.WriteAsync([id], () => EraseAndPurgeAsync(id, cancellationToken));
    }

    /// <summary>
    /// Erases in the log (one transaction, which also records the user for the index purge), then purges the
    /// per-user index file, then drops the purge record. A crash in between leaves the record, and the next
    /// open finishes the purge.
    /// </summary>
    private async Task<bool> EraseAndPurgeAsync(string id, CancellationToken cancellationToken)
    {
        var (erased, uid) = await store.Writer.Enqueue((c, scope) => Erase(c, scope, id), 1, cancellationToken);
        if (uid is { } u)
        {
            await store.UserIndex.PurgeAsync(u);
            await store.Writer.Enqueue((c, _) =>
            {
                using var done = c.Command("DELETE FROM user_index_purge WHERE user_id = $u");
                done.Parameters.AddWithValue("$u", u);
                return done.ExecuteNonQuery();
            }, 1, CancellationToken.None);
        }

        return erased;
    }

    public async Task<UserExport?> ExportAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var c = await store.OpenReaderAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(cancellationToken);
        var user = await GetAsync(c, id, cancellationToken);
        var events = new List<Event>();
        await foreach (var e in SqliteEventLog.ReadUserAsync(c, store.UserIndex, id, cancellationToken))
        {
            events.Add(e);
        }

        await tx.CommitAsync(cancellationToken);
        return user is null && events.Count == 0 ? null : new UserExport(user, events, DateTimeOffset.UtcNow);
    }

    private static string[] IdsOf(IReadOnlyList<User> users)
    {
        var ids = new string[users.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = users[i].Id;
        }

        return ids;
    }

    private async Task<User?> LoadAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await store.OpenReaderAsync(cancellationToken);
        return await GetAsync(c, id, cancellationToken);
    }

    /// <returns>Whether anything was erased, and the user's interned id when they had events (to purge from the index).</returns>
    private static (bool Erased, long? UserId) Erase(WriterContext c, WriteScope scope, string id)
    {
        var erased = false;
        long? interned = null;
        if (c.Users.TryGetId(id, out var userId))
        {
            // On the writer's thread: no event of this user can commit meanwhile, so the index, its tail and the
            // open transaction name every one of their events.
            var sequences = UserEventIndex.ToJsonArray(c.SequencesOf(userId));
            long min = long.MaxValue, max = long.MinValue;
            using (var counts = c.Command("""
                SELECT type_id, count(*), min(ts), max(ts) FROM events
                WHERE seq IN (SELECT value FROM json_each($s)) AND user_id = $u GROUP BY type_id
                """))
            {
                counts.Parameters.AddWithValue("$s", sequences);
                counts.Parameters.AddWithValue("$u", userId);
                using var r = counts.ExecuteReader();
                while (r.Read())
                {
                    scope.Request.Add(r.GetInt64(0), -r.GetInt64(1));
                    min = Math.Min(min, r.GetInt64(2));
                    max = Math.Max(max, r.GetInt64(3));
                }
            }

            var (first, last) = c.Counters.Bounds;
            if (min <= max && (min <= first || max >= last))
            {
                scope.Request.RecomputeBounds = true;
            }

            using (var delete = c.Command("DELETE FROM events WHERE seq IN (SELECT value FROM json_each($s)) AND user_id = $u"))
            {
                delete.Parameters.AddWithValue("$s", sequences);
                delete.Parameters.AddWithValue("$u", userId);
                delete.ExecuteNonQuery();
            }

            using (var purge = c.Command("INSERT OR IGNORE INTO user_index_purge(user_id) VALUES ($u)"))
            {
                purge.Parameters.AddWithValue("$u", userId);
                purge.ExecuteNonQuery();
            }

            c.Users.Delete(id, userId, scope);
            erased = true;
            interned = userId;
        }

        using var deleteUser = c.Command("DELETE FROM users WHERE id = $id");
        deleteUser.Parameters.AddWithValue("$id", id);
        return (deleteUser.ExecuteNonQuery() > 0 || erased, interned);
    }

    private static async Task<User?> GetAsync(SqliteConnection c, string id, CancellationToken cancellationToken)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM users WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
        {
            return null;
        }

        return Read(r);
    }

    private static User Read(SqliteDataReader r)
    {
        return new User(
            r.GetString(0),
            JsonColumns.ReadProperties(r.IsDBNull(1) ? null : r.GetString(1)),
            new Consent(
                new ConsentChoice(r.GetInt64(2) != 0, JsonColumns.ReadTime(r.IsDBNull(3) ? null : r.GetString(3))),
                new ConsentChoice(r.GetInt64(4) != 0, JsonColumns.ReadTime(r.IsDBNull(5) ? null : r.GetString(5)))),
            JsonColumns.ReadTime(r.IsDBNull(6) ? null : r.GetString(6)),
            JsonColumns.ReadTime(r.IsDBNull(7) ? null : r.GetString(7)));
    }
}
