using System.Buffers;
using System.Text.Json;
using Attune.Engine.Options;

namespace Attune.Engine.Ingestion;

/// <summary>What <c>PUT /v1/users/{id}</c> asks to change; absent parts keep their stored value.</summary>
/// <param name="Personalization">The new consent choice, or null to keep the current one.</param>
public sealed record UserUpdate(
    string Id,
    IReadOnlyDictionary<string, JsonElement>? Attributes,
    bool? Personalization,
    bool? Marketing);

/// <summary>Parses the body of <c>PUT /v1/users/{id}</c>: <c>{ attributes, consent: { personalization, marketing } }</c>.</summary>
public static class UserJsonReader
{
    public static ParseResult<UserUpdate> Read(ReadOnlySequence<byte> body, string routeId, LimitOptions limits, DateTimeOffset now) =>
        JsonBatchReader.Read(body, limits, now, "user", allowSingle: true, (ref Utf8JsonReader r, ParseContext c) => ReadUser(ref r, c, routeId));

    /// <summary>An array of users, each with its id (used by bulk imports).</summary>
    public static ParseResult<UserUpdate> ReadBatch(ReadOnlySequence<byte> body, LimitOptions limits, DateTimeOffset now) =>
        JsonBatchReader.Read(body, limits, now, "user", allowSingle: false, (ref Utf8JsonReader r, ParseContext c) => ReadUser(ref r, c, null));

    private static UserUpdate? ReadUser(ref Utf8JsonReader reader, ParseContext ctx, string? routeId)
    {
        string? id = null;
        IReadOnlyDictionary<string, JsonElement>? attributes = null;
        bool? personalization = null, marketing = null;
        var ok = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (!JsonFields.TryReadString(ref reader, ctx, "id", ctx.Limits.MaxIdLength, isId: true, out id))
                {
                    ok = false;
                }
                else if (routeId is not null && !string.Equals(id, routeId, StringComparison.Ordinal))
                {
                    ctx.Add("id", $"'{id}' does not match the id in the URL '{routeId}'.");
                    ok = false;
                }
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadScalarMap(ref reader, ctx, "attributes", out attributes);
            }
            else if (reader.ValueTextEquals("consent"u8))
            {
                reader.Read();
                ok &= TryReadConsent(ref reader, ctx, out personalization, out marketing);
            }
            else
            {
                ctx.Add(JsonBatchReader.UnknownName(ref reader), "is not a field of a user (id, attributes, consent).");
                reader.Read();
                JsonFields.SkipValue(ref reader);
                ok = false;
            }
        }

        if (id is null && routeId is null && ok)
        {
            ctx.Add("id", "is required.");
            ok = false;
        }

        return ok ? new UserUpdate(id ?? routeId!, attributes, personalization, marketing) : null;
    }

    private static bool TryReadConsent(ref Utf8JsonReader reader, ParseContext ctx, out bool? personalization, out bool? marketing)
    {
        personalization = null;
        marketing = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            ctx.Add("consent", $"must be an object, not {JsonFields.Describe(reader.TokenType)}.");
            JsonFields.SkipValue(ref reader);
            return false;
        }

        var ok = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("personalization"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadBool(ref reader, ctx, "consent.personalization", out personalization);
            }
            else if (reader.ValueTextEquals("marketing"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadBool(ref reader, ctx, "consent.marketing", out marketing);
            }
            else
            {
                ctx.Add("consent." + JsonBatchReader.UnknownName(ref reader), "is not a consent purpose (personalization, marketing).");
                reader.Read();
                JsonFields.SkipValue(ref reader);
                ok = false;
            }
        }

        return ok;
    }
}
