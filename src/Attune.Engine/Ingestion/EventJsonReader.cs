using System.Buffers;
using System.Text.Json;
using Attune.Core;
using Attune.Engine.Options;

namespace Attune.Engine.Ingestion;

/// <summary>
/// Parses the body of <c>POST /v1/events</c> (one event object or an array) into <see cref="Event"/> records,
/// checking every field against <see cref="LimitOptions"/>. Unknown fields are errors, so a typo never
/// silently drops data.
/// </summary>
public static class EventJsonReader
{
    public static ParseResult<Event> Read(ReadOnlySequence<byte> body, LimitOptions limits, DateTimeOffset now) =>
        JsonBatchReader.Read(body, limits, now, "event", allowSingle: true, ReadEvent);

    public static ParseResult<Event> Read(ReadOnlySpan<byte> body, LimitOptions limits, DateTimeOffset now) =>
        Read(new ReadOnlySequence<byte>(body.ToArray()), limits, now);

    private static Event? ReadEvent(ref Utf8JsonReader reader, ParseContext ctx)
    {
        var limits = ctx.Limits;
        string? id = null, userId = null, itemId = null, type = null, sessionId = null;
        double? value = null;
        DateTimeOffset? timestamp = null;
        EventContext? context = null;
        IReadOnlyDictionary<string, JsonElement>? properties = null;
        var ok = true;
        var seenUser = false;
        var seenType = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("userId"u8))
            {
                reader.Read();
                seenUser = true;
                ok &= JsonFields.TryReadString(ref reader, ctx, "userId", limits.MaxIdLength, isId: true, out userId);
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                seenType = true;
                type = KnownName(ref reader, KnownTypes);
                ok &= type is not null || JsonFields.TryReadString(ref reader, ctx, "type", limits.MaxIdLength, isId: true, out type);
            }
            else if (reader.ValueTextEquals("itemId"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "itemId", limits.MaxIdLength, isId: true, out itemId);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadTimestamp(ref reader, ctx, "timestamp", checkFuture: true, out timestamp);
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadNumber(ref reader, ctx, "value", out value);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "id", limits.MaxIdLength, isId: true, out id);
            }
            else if (reader.ValueTextEquals("sessionId"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "sessionId", limits.MaxIdLength, isId: true, out sessionId);
            }
            else if (reader.ValueTextEquals("context"u8))
            {
                reader.Read();
                ok &= TryReadContext(ref reader, ctx, out context);
            }
            else if (reader.ValueTextEquals("properties"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadScalarMap(ref reader, ctx, "properties", out properties);
            }
            else
            {
                ctx.Add(JsonBatchReader.UnknownName(ref reader), "is not a field of an event (id, userId, itemId, type, value, timestamp, sessionId, context, properties).");
                reader.Read();
                JsonFields.SkipValue(ref reader);
                ok = false;
            }
        }

        if (!seenUser)
        {
            ctx.Add("userId", "is required.");
            ok = false;
        }

        if (!seenType)
        {
            ctx.Add("type", "is required.");
            ok = false;
        }

        return ok
            ? new Event(id, userId!, itemId, type!, value, timestamp ?? ctx.Now, sessionId, context, properties)
            : null;
    }

    // Most events name a built-in type and channel: reuse their strings instead of allocating one per event.
    private static readonly (byte[] Utf8, string Name)[] KnownTypes =
        EventTypes.Defaults.Select(d => (System.Text.Encoding.UTF8.GetBytes(d.Name), d.Name)).ToArray();

    private static readonly (byte[] Utf8, string Name)[] KnownChannels =
        Channels.All.Select(c => (System.Text.Encoding.UTF8.GetBytes(c), c)).ToArray();

    // The usual context names only a channel; records are immutable, so one instance per channel serves every event.
    private static readonly Dictionary<string, EventContext> ChannelOnlyContexts =
        Channels.All.ToDictionary(c => c, c => new EventContext(Channel: c), StringComparer.Ordinal);

    private static string? KnownName(ref Utf8JsonReader reader, (byte[] Utf8, string Name)[] known)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return null;
        }

        var span = reader.ValueSpan;
        foreach (var (utf8, name) in known)
        {
            if (span.SequenceEqual(utf8))
            {
                return name;
            }
        }

        return null;
    }

    private static bool TryReadContext(ref Utf8JsonReader reader, ParseContext ctx, out EventContext? context)
    {
        context = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            ctx.Add("context", $"must be an object, not {JsonFields.Describe(reader.TokenType)}.");
            JsonFields.SkipValue(ref reader);
            return false;
        }

        var limits = ctx.Limits;
        string? channel = null, device = null, page = null, campaign = null, recommendationId = null, decisionId = null;
        var ok = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("channel"u8))
            {
                reader.Read();
                channel = KnownName(ref reader, KnownChannels);
                if (channel is null && !JsonFields.TryReadOptionalString(ref reader, ctx, "context.channel", limits.MaxIdLength, isId: true, out channel))
                {
                    ok = false;
                }
                else if (channel is not null && !Channels.All.Contains(channel))
                {
                    ctx.Add("context.channel", "must be one of web, app, email, push, store.");
                    ok = false;
                }
            }
            else if (reader.ValueTextEquals("device"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "context.device", limits.MaxStringLength, isId: false, out device);
            }
            else if (reader.ValueTextEquals("page"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "context.page", limits.MaxStringLength, isId: false, out page);
            }
            else if (reader.ValueTextEquals("campaign"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "context.campaign", limits.MaxIdLength, isId: true, out campaign);
            }
            else if (reader.ValueTextEquals("recommendationId"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "context.recommendationId", limits.MaxIdLength, isId: true, out recommendationId);
            }
            else if (reader.ValueTextEquals("decisionId"u8))
            {
                reader.Read();
                ok &= JsonFields.TryReadOptionalString(ref reader, ctx, "context.decisionId", limits.MaxIdLength, isId: true, out decisionId);
            }
            else
            {
                ctx.Add("context." + JsonBatchReader.UnknownName(ref reader), "is not a field of context (channel, device, page, campaign, recommendationId, decisionId).");
                reader.Read();
                JsonFields.SkipValue(ref reader);
                ok = false;
            }
        }

        if (ok)
        {
            context = device is null && page is null && campaign is null && recommendationId is null && decisionId is null
                && channel is not null && ChannelOnlyContexts.TryGetValue(channel, out var shared)
                ? shared
                : new EventContext(channel, device, page, campaign, recommendationId, decisionId);
        }

        return ok;
    }
}
