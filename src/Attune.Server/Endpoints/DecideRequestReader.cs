using System.Buffers;
using System.Text.Json;

namespace Attune.Server.Endpoints;

/// <summary>
/// The fast read of a <c>POST /v1/decide</c> body of the usual shape: an object with <c>userId</c> (a string),
/// <c>placements</c> (strings) and <c>context</c> (an object), each at most once, spelled as documented. It parses
/// the body into one <see cref="JsonDocument"/> whose elements the context values are, where the serializer makes a
/// document per context value. Any other shape (nulls, other spellings, unknown or repeated properties, bad JSON)
/// gives null, and the caller deserializes as before, so errors keep their field names and messages.
/// </summary>
public static class DecideRequestReader
{
    /// <summary>The document the request's context values point into (dispose it after the decision), or null with <paramref name="request"/> null.</summary>
    public static JsonDocument? TryRead(ReadOnlySequence<byte> body, int maxDepth, out DecideRequestDocument? request)
    {
        request = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException)
        {
            return null;
        }

        if (Read(document.RootElement) is { } read)
        {
            request = read;
            return document;
        }

        document.Dispose();
        return null;
    }

    private static DecideRequestDocument? Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string? userId = null;
        List<string?>? placements = null;
        Dictionary<string, JsonElement>? context = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("userId"u8) && userId is null && value.ValueKind == JsonValueKind.String)
            {
                userId = value.GetString();
            }
            else if (property.NameEquals("placements"u8) && placements is null && value.ValueKind == JsonValueKind.Array)
            {
                placements = new List<string?>(value.GetArrayLength());
                foreach (var p in value.EnumerateArray())
                {
                    if (p.ValueKind != JsonValueKind.String)
                    {
                        return null;
                    }

                    placements.Add(p.GetString());
                }
            }
            else if (property.NameEquals("context"u8) && context is null && value.ValueKind == JsonValueKind.Object)
            {
                context = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var entry in value.EnumerateObject())
                {
                    if (!context.TryAdd(entry.Name, entry.Value))
                    {
                        return null;
                    }
                }
            }
            else
            {
                return null;
            }
        }

        return new DecideRequestDocument(userId, placements, context);
    }
}
