using Attune.Core;
using Attune.Storage.Sqlite.Json;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite;

/// <summary>The item catalog: one row per item, list fields and properties as JSON text.</summary>
internal sealed class SqliteCatalog(SqliteStore store) : ICatalog
{
    private const string Columns = "id, title, categories, tags, text, price, available, created, updated, properties";

    public Task UpsertAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken = default)
    {
        store.ThrowIfDisposed();
        Validate(items);
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        return store.Writer.Enqueue((c, _) =>
        {
            using var cmd = c.Command($"INSERT OR REPLACE INTO items({Columns}) VALUES ($id, $title, $cat, $tags, $text, $price, $avail, $created, $updated, $props)");
            var id = cmd.Parameters.Add("$id", SqliteType.Text);
            var title = cmd.Parameters.Add("$title", SqliteType.Text);
            var cat = cmd.Parameters.Add("$cat", SqliteType.Text);
            var tags = cmd.Parameters.Add("$tags", SqliteType.Text);
            var text = cmd.Parameters.Add("$text", SqliteType.Text);
            var price = cmd.Parameters.Add("$price", SqliteType.Real);
            var avail = cmd.Parameters.Add("$avail", SqliteType.Integer);
            var created = cmd.Parameters.Add("$created", SqliteType.Text);
            var updated = cmd.Parameters.Add("$updated", SqliteType.Text);
            var props = cmd.Parameters.Add("$props", SqliteType.Text);
            cmd.Prepare();
            foreach (var item in items)
            {
                id.Value = item.Id;
                title.Value = (object?)item.Title ?? DBNull.Value;
                cat.Value = (object?)JsonColumns.Write(item.Categories) ?? DBNull.Value;
                tags.Value = (object?)JsonColumns.Write(item.Tags) ?? DBNull.Value;
                text.Value = (object?)item.Text ?? DBNull.Value;
                price.Value = item.Price is { } p ? p : DBNull.Value;
                avail.Value = item.Available ? 1 : 0;
                created.Value = (object?)JsonColumns.WriteTime(item.Created) ?? DBNull.Value;
                updated.Value = (object?)JsonColumns.WriteTime(item.Updated) ?? DBNull.Value;
                props.Value = (object?)JsonColumns.Write(item.Properties) ?? DBNull.Value;
                cmd.ExecuteNonQuery();
            }

            return items.Count;
        }, items.Count, cancellationToken);
    }

    public async Task<Item?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var c = await store.OpenReaderAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM items WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadItem(r) : null;
    }

    public async Task<ItemPage> ListAsync(string? cursor, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var c = await store.OpenReaderAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = cursor is null
            ? $"SELECT {Columns} FROM items ORDER BY id LIMIT $n"
            : $"SELECT {Columns} FROM items WHERE id > $cursor ORDER BY id LIMIT $n";
        if (cursor is not null)
        {
            cmd.Parameters.AddWithValue("$cursor", cursor);
        }

        // One row more than asked tells whether another page follows.
        cmd.Parameters.AddWithValue("$n", (long)limit + 1);
        var page = new List<Item>(Math.Min(limit, 1024));
        var more = false;
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            if (page.Count == limit)
            {
                more = true;
                break;
            }

            page.Add(ReadItem(r));
        }

        return new ItemPage(page, more ? page[^1].Id : null);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        store.ThrowIfDisposed();
        return store.Writer.Enqueue((c, _) =>
        {
            using var cmd = c.Command("DELETE FROM items WHERE id = $id");
            cmd.Parameters.AddWithValue("$id", id);
            return cmd.ExecuteNonQuery() > 0;
        }, 1, cancellationToken);
    }

    private static void Validate(IReadOnlyList<Item> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new ArgumentException($"items[{i}] is null.", $"items[{i}]");
            if (!Ids.IsValid(item.Id))
            {
                throw new ArgumentException($"items[{i}].id must be 1-256 characters without control characters.", $"items[{i}].id");
            }

            if (item.Price is { } p && !double.IsFinite(p))
            {
                throw new ArgumentException($"items[{i}].price must be a finite number.", $"items[{i}].price");
            }
        }
    }

    private static Item ReadItem(SqliteDataReader r) =>
        new(
            r.GetString(0),
            r.IsDBNull(1) ? null : r.GetString(1),
            JsonColumns.ReadList(r.IsDBNull(2) ? null : r.GetString(2)),
            JsonColumns.ReadList(r.IsDBNull(3) ? null : r.GetString(3)),
            r.IsDBNull(4) ? null : r.GetString(4),
            r.IsDBNull(5) ? null : r.GetDouble(5),
            r.GetInt64(6) != 0,
            JsonColumns.ReadTime(r.IsDBNull(7) ? null : r.GetString(7)),
            JsonColumns.ReadTime(r.IsDBNull(8) ? null : r.GetString(8)),
            JsonColumns.ReadProperties(r.IsDBNull(9) ? null : r.GetString(9)));
}
