using System.Buffers;
using System.Text.Json;
using Attune.Core;
using Attune.Engine.Options;

namespace Attune.Engine.Ingestion;

/// <summary>Parses catalog items: one object (<c>PUT /v1/items/{id}</c>) or an array (<c>POST /v1/items</c>).</summary>
public static class ItemJsonReader
{
    /// <summary>An array of items, each with its id.</summary>
    public static ParseResult<Item> ReadBatch(ReadOnlySequence<byte> body, LimitOptions limits, DateTimeOffset now) =>
        JsonBatchReader.Read(body, limits, now, "item", allowSingle: false, (ref Utf8JsonReader r, ParseContext c) => ReadItem(ref r, c, null));

    /// <summary>One item whose id comes from the route; an id in the body must match it.</summary>
    public static ParseResult<Item> ReadOne(ReadOnlySequence<byte> body, string routeId, LimitOptions limits, DateTimeOffset now)
    {
        var result = JsonBatchReader.Read(body, limits, now, "item", allowSingle: true, (ref Utf8JsonReader r, ParseContext c) => ReadItem(ref r, c, routeId));
        return result;
    }

    private static Item? ReadItem(ref Utf8JsonReader reader, ParseContext ctx, string? routeId)
    {
        var limits = ctx.Limits;
        string? id = null, title = null, text = null;
        IReadOnlyList<string>? categories = null, tags = null;
        double? price = null;
        bool? available = null;
        DateTimeOffset? created = null, updated = null;
        IReadOnlyDictionary<string, JsonElement>? properties = null;
        var ok = true;
        var seenId = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                seenId = true;
                if (!JsonFields.TryReadString(ref reader, ctx, "id", limits.MaxIdLength, isId: true, out id))
                {
                    ok = false;
                }
                else if (routeId is not null && !string.Equals(id, routeId, StringComparison.Ordinal))
                {
                    ctx.Add("id", $"'{id}' does not match the id in the URL '{routeId}'.");
                    ok = false;
                }
            }
            else if (reader.ValueTextEquals("title"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "title", limits.MaxStringLength, isId: false, out title);
            }
            else if (reader.ValueTextEquals("categories"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadStringList(ref reader, ctx, "categories", out categories);
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadStringList(ref reader, ctx, "tags", out tags);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "text", limits.MaxStringLength, isId: false, out text);
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadNumber(ref reader, ctx, "price", out price);
            }
            else if (reader.ValueTextEquals("available"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadBool(ref reader, ctx, "available", out available);
            }
            else if (reader.ValueTextEquals("createdAt"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadTimestamp(ref reader, ctx, "createdAt", checkFuture: true, out created);
            }
            else if (reader.ValueTextEquals("updatedAt"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadTimestamp(ref reader, ctx, "updatedAt", checkFuture: true, out updated);
            }
            else if (reader.ValueTextEquals("properties"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadScalarMap(ref reader, ctx, "properties", out properties);
            }
            else
            {
                ctx.Add(JsonBatchReader.UnknownName(ref reader), "is not a field of an item (id, title, categories, tags, text, price, available, createdAt, updatedAt, properties).");
                reader.Read();
                JsonFields.SkipValue(ref reader);
                ok = false;
            }
        }

        if (!seenId && routeId is null)
        {
            ctx.Add("id", "is required.");
            ok = false;
        }

        return ok
            ? new Item(id ?? routeId!, title, categories, tags, text, price, available ?? true, created, updated ?? ctx.Now, properties)
            : null;
    }
}
