using System.Buffers;
using System.Text.Json;
using Attune.Engine.Options;

namespace Attune.Engine.Ingestion;

/// <summary>Reads one element of a body; returns null after recording errors in the context.</summary>
internal delegate T? ElementReader<T>(ref Utf8JsonReader reader, ParseContext ctx)
    where T : class;

/// <summary>
/// Reads a body that holds one object or an array of objects, straight from the request's bytes with a
/// depth-limited <see cref="Utf8JsonReader"/>. The whole body is read and checked before anything is
/// returned, so a caller writes all elements or none.
/// </summary>
internal static class JsonBatchReader
{
    public static ParseResult<T> Read<T>(
        ReadOnlySequence<byte> body, LimitOptions limits, DateTimeOffset now, string noun, bool allowSingle, ElementReader<T> readElement)
        where T : class
    {
        var ctx = new ParseContext(limits, now);
        var values = new List<T>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth });
        try
        {
            if (!reader.Read())
            {
                ctx.Add(string.Empty, "The request body is empty.");
                return ctx.Result(values);
            }

            if (reader.TokenType == JsonTokenType.StartObject && allowSingle)
            {
                Add(readElement(ref reader, ctx), values);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                var i = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (i >= limits.MaxBatchSize)
                    {
                        ctx.Index = null;
                        ctx.Add(string.Empty, $"A batch may hold at most {limits.MaxBatchSize} {noun}s (Attune:Limits:MaxBatchSize).");
                        return ctx.Result(values);
                    }

                    ctx.Index = i;
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        ctx.Add(string.Empty, $"must be {Article(noun)} {noun} object, not {JsonFields.Describe(reader.TokenType)}.");
                        JsonFields.SkipValue(ref reader);
                    }
                    else
                    {
                        Add(readElement(ref reader, ctx), values);
                    }

                    if (ctx.IsFull)
                    {
                        return ctx.Result(values);
                    }

                    i++;
                }
            }
            else
            {
                var expected = allowSingle ? $"{Article(noun)} {noun} object or an array of them" : $"an array of {noun} objects";
                ctx.Add(string.Empty, $"The body must be {expected}, not {JsonFields.Describe(reader.TokenType)}.");
                return ctx.Result(values);
            }

            // Anything after the top-level value (a second document, garbage) is an error, thrown by Read.
            reader.Read();
        }
        catch (JsonException ex)
        {
            ctx.Failure = ParseFailure.Invalid;
            var where = ex.BytePositionInLine is { } pos ? $" (line {ex.LineNumber + 1}, byte {pos + 1})" : string.Empty;
            ctx.Detail = $"The request body is not valid JSON{where}: {ex.Message}";
            ctx.Add(string.Empty, ctx.Detail);
        }
        catch (InvalidOperationException)
        {
            ctx.Failure = ParseFailure.Invalid;
            ctx.Detail = "The request body is not valid UTF-8 JSON.";
            ctx.Add(string.Empty, ctx.Detail);
        }

        return ctx.Result(values);
    }

    /// <summary>Reads a property name for an error message without trusting it (it may be huge or bad UTF-8).</summary>
    public static string UnknownName(ref Utf8JsonReader reader)
    {
        try
        {
            var name = reader.GetString() ?? string.Empty;
            return name.Length > 64 ? name[..64] + "..." : name;
        }
        catch (InvalidOperationException)
        {
            return "(invalid UTF-8)";
        }
    }

    private static void Add<T>(T? value, List<T> values)
        where T : class
    {
        if (value is not null)
        {
            values.Add(value);
        }
    }

    private static string Article(string noun) => noun.Length > 0 && "aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an" : "a";
}
