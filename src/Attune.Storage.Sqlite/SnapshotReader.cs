using System.Globalization;
using Attune.Core;
using Microsoft.Data.Sqlite;

namespace Attune.Storage.Sqlite;

/// <summary>
/// Streams the item interactions of the log into columns: one pass over five integer/real columns in rowid
/// order, no object per row, then a stable sort by time only if arrival order was not already time order,
/// then one pass turning interned ids into dense indices in order of first appearance.
/// </summary>
/// <remarks>Time O(n) when events arrive in time order, O(n log n) otherwise; memory 25 bytes per row plus the id strings.</remarks>
internal static class SnapshotReader
{
    public static InteractionSnapshot Read(SqliteConnection connection, SnapshotRange? range, CancellationToken cancellationToken)
    {
        // One read transaction: the key tables and the log are seen at the same instant.
        using var tx = connection.BeginTransaction(deferred: true);
        var maxUser = Scalar(connection, "SELECT coalesce(max(id), 0) FROM user_map");
        var maxItem = Scalar(connection, "SELECT coalesce(max(id), 0) FROM item_map");
        // The largest sequence number bounds the row count (O(1) on the rowid tree); a time range may select a
        // small part of a large log, so then start small and grow.
        var bound = Scalar(connection, "SELECT coalesce(max(seq), 0) FROM events");
        var capacity = (int)Math.Min(range is null ? bound : Math.Min(bound, 1 << 16), Array.MaxLength);
        if (maxUser >= int.MaxValue || maxItem >= int.MaxValue)
        {
            throw new InvalidOperationException("Too many distinct users or items for a snapshot (more than 2^31).");
        }

        var users = new int[capacity];
        var items = new int[capacity];
        var types = new int[capacity];
        var values = new float[capacity];
        var times = new long[capacity];
        var n = 0;
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT user_id, item_id, type_id, value, ts FROM events WHERE item_id IS NOT NULL" +
                (range?.FromMs is not null ? " AND ts >= $from" : string.Empty) +
                (range?.ToMs is not null ? " AND ts < $to" : string.Empty) +
                " ORDER BY seq";
            if (range?.FromMs is { } from)
            {
                cmd.Parameters.AddWithValue("$from", from);
            }

            if (range?.ToMs is { } to)
            {
                cmd.Parameters.AddWithValue("$to", to);
            }

            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (n == users.Length)
                {
                    var grown = Math.Max(16, n * 2);
                    Array.Resize(ref users, grown);
                    Array.Resize(ref items, grown);
                    Array.Resize(ref types, grown);
                    Array.Resize(ref values, grown);
                    Array.Resize(ref times, grown);
                }

                users[n] = (int)r.GetInt64(0);
                items[n] = (int)r.GetInt64(1);
                types[n] = (int)r.GetInt64(2);
                values[n] = r.IsDBNull(3) ? float.NaN : (float)r.GetDouble(3);
                times[n] = r.GetInt64(4);
                n++;
                if ((n & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        Array.Resize(ref users, n);
        Array.Resize(ref items, n);
        Array.Resize(ref types, n);
        Array.Resize(ref values, n);
        Array.Resize(ref times, n);
        SortByTimeIfNeeded(users, items, types, values, times);

        var userDense = Densify(users, (int)maxUser, out var userOrder);
        var itemDense = Densify(items, (int)maxItem, out var itemOrder);
        var typeIndex = DensifyTypes(types, out var typeOrder);
        var userIds = ReadKeys(connection, "SELECT id, key FROM user_map", userDense, userOrder.Count);
        var itemIds = ReadKeys(connection, "SELECT id, key FROM item_map", itemDense, itemOrder.Count);
        var typeNames = ReadTypeNames(connection, typeOrder);
        tx.Commit();
        return new InteractionSnapshot(userIds, itemIds, typeNames, users, items, typeIndex, values, times);
    }

    private static void SortByTimeIfNeeded(int[] users, int[] items, int[] types, float[] values, long[] times)
    {
        var sorted = true;
        for (var i = 1; i < times.Length; i++)
        {
            if (times[i] < times[i - 1])
            {
                sorted = false;
                break;
            }
        }

        if (sorted)
        {
            return;
        }

        // (time, arrival) keys make the unstable introsort stable: ties keep log order.
        var keys = new (long Time, int Row)[times.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = (times[i], i);
        }

        Array.Sort(keys);
        Permute(users, keys);
        Permute(items, keys);
        Permute(types, keys);
        Permute(values, keys);
        Permute(times, keys);
    }

    private static void Permute<T>(T[] column, (long Time, int Row)[] order)
    {
        var copy = (T[])column.Clone();
        for (var i = 0; i < order.Length; i++)
        {
            column[i] = copy[order[i].Row];
        }
    }

    /// <summary>Rewrites interned ids in place as dense indices; returns the dense index of each interned id (-1 when absent).</summary>
    private static int[] Densify(int[] column, int maxId, out List<int> order)
    {
        var dense = new int[maxId + 1];
        Array.Fill(dense, -1);
        order = [];
        for (var i = 0; i < column.Length; i++)
        {
            var raw = column[i];
            var d = dense[raw];
            if (d < 0)
            {
                d = dense[raw] = order.Count;
                order.Add(raw);
            }

            column[i] = d;
        }

        return dense;
    }

    private static byte[] DensifyTypes(int[] types, out List<int> order)
    {
        var max = 0;
        foreach (var t in types)
        {
            max = Math.Max(max, t);
        }

        var dense = new int[max + 1];
        Array.Fill(dense, -1);
        order = [];
        var result = new byte[types.Length];
        for (var i = 0; i < types.Length; i++)
        {
            var d = dense[types[i]];
            if (d < 0)
            {
                if (order.Count == 256)
                {
                    throw new InvalidOperationException("A snapshot holds at most 256 distinct event types.");
                }

                d = dense[types[i]] = order.Count;
                order.Add(types[i]);
            }

            result[i] = (byte)d;
        }

        return result;
    }

    private static string[] ReadKeys(SqliteConnection connection, string sql, int[] dense, int count)
    {
        var keys = new string[count];
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var id = r.GetInt64(0);
            if (id < dense.Length && dense[id] >= 0)
            {
                keys[dense[id]] = r.GetString(1);
            }
        }

        return keys;
    }

    private static string[] ReadTypeNames(SqliteConnection connection, List<int> order)
    {
        var byId = new Dictionary<long, string>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT id, name FROM type_map";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                byId[r.GetInt64(0)] = r.GetString(1);
            }
        }

        var names = new string[order.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = byId[order[i]];
        }

        return names;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
