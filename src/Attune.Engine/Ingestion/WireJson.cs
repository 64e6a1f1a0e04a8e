using System.Text.Json;
using Attune.Core;

namespace Attune.Engine.Ingestion;

/// <summary>
/// Writes the API's JSON shapes. What it writes for an event or an item reads back unchanged through
/// <see cref="EventJsonReader"/> and <see cref="ItemJsonReader"/>, so the server and the client share one format.
/// </summary>
public static class WireJson
{
    public static void WriteEvent(Utf8JsonWriter w, Event e)
    {
        w.WriteStartObject();
        WriteIfNotNull(w, "id"u8, e.Id);
        w.WriteString("userId"u8, e.UserId);
        WriteIfNotNull(w, "itemId"u8, e.ItemId);
        w.WriteString("type"u8, e.Type);
        if (e.Value is { } v)
        {
            w.WriteNumber("value"u8, v);
        }

        w.WriteString("timestamp"u8, e.Timestamp.ToUniversalTime());
        WriteIfNotNull(w, "sessionId"u8, e.SessionId);
        if (e.Context is { } c)
        {
            w.WriteStartObject("context"u8);
            WriteIfNotNull(w, "channel"u8, c.Channel);
            WriteIfNotNull(w, "device"u8, c.Device);
            WriteIfNotNull(w, "page"u8, c.Page);
            WriteIfNotNull(w, "campaign"u8, c.Campaign);
            WriteIfNotNull(w, "recommendationId"u8, c.RecommendationId);
            WriteIfNotNull(w, "decisionId"u8, c.DecisionId);
            w.WriteEndObject();
        }

        if (e.Properties is { Count: > 0 } p)
        {
            WriteMap(w, "properties"u8, p);
        }

        w.WriteEndObject();
    }

    public static void WriteItem(Utf8JsonWriter w, Item item)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, item.Id);
        WriteIfNotNull(w, "title"u8, item.Title);
        WriteList(w, "categories"u8, item.Categories);
        WriteList(w, "tags"u8, item.Tags);
        WriteIfNotNull(w, "text"u8, item.Text);
        if (item.Price is { } price)
        {
            w.WriteNumber("price"u8, price);
        }

        w.WriteBoolean("available"u8, item.Available);
        if (item.Created is { } created)
        {
            w.WriteString("createdAt"u8, created.ToUniversalTime());
        }

        if (item.Updated is { } updated)
        {
            w.WriteString("updatedAt"u8, updated.ToUniversalTime());
        }

        WriteMap(w, "properties"u8, item.Properties);
        w.WriteEndObject();
    }

    /// <summary>A stored user, with when each consent choice was last stated.</summary>
    public static void WriteUser(Utf8JsonWriter w, User user)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, user.Id);
        WriteMap(w, "attributes"u8, user.Attributes);
        w.WriteStartObject("consent"u8);
        w.WriteBoolean("personalization"u8, user.Consent.Personalization.Granted);
        WriteTime(w, "personalizationAt"u8, user.Consent.Personalization.At);
        w.WriteBoolean("marketing"u8, user.Consent.Marketing.Granted);
        WriteTime(w, "marketingAt"u8, user.Consent.Marketing.At);
        w.WriteEndObject();
        WriteTime(w, "createdAt"u8, user.Created);
        WriteTime(w, "updatedAt"u8, user.Updated);
        w.WriteEndObject();
    }

    /// <summary>The request body of <c>PUT /v1/users/{id}</c>.</summary>
    public static void WriteUserUpdate(Utf8JsonWriter w, UserUpdate update)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, update.Id);
        if (update.Attributes is { } a)
        {
            WriteMap(w, "attributes"u8, a);
        }

        if (update.Personalization is not null || update.Marketing is not null)
        {
            w.WriteStartObject("consent"u8);
            if (update.Personalization is { } p)
            {
                w.WriteBoolean("personalization"u8, p);
            }

            if (update.Marketing is { } m)
            {
                w.WriteBoolean("marketing"u8, m);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteIfNotNull(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteTime(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTimeOffset? value)
    {
        if (value is { } t)
        {
            w.WriteString(name, t.ToUniversalTime());
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteList(Utf8JsonWriter w, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteMap(Utf8JsonWriter w, ReadOnlySpan<byte> name, IReadOnlyDictionary<string, JsonElement> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map)
        {
            w.WritePropertyName(k);
            v.WriteTo(w);
        }

        w.WriteEndObject();
    }
}
