using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Attune.Server.Http;

/// <summary>
/// Buffers a JSON request body in the request's own pipe (no copy) up to a byte limit, so the parsers read
/// it once, straight from Kestrel's memory. Call <see cref="Release"/> once parsing is done.
/// </summary>
public readonly struct RequestBody
{
    private readonly PipeReader? _reader;

    private RequestBody(PipeReader reader, ReadOnlySequence<byte> buffer)
    {
        _reader = reader;
        Buffer = buffer;
    }

    public ReadOnlySequence<byte> Buffer { get; }

    /// <summary>Returns the body, or the problem to answer with (415, 413, 400).</summary>
    public static async ValueTask<(RequestBody Body, ProblemHttpResult? Problem)> ReadAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (!IsJson(request.ContentType))
        {
            return (default, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Send JSON with 'Content-Type: application/json' (got '{request.ContentType ?? "none"}')."));
        }

        if (request.ContentLength > maxBytes)
        {
            return (default, TooLarge(maxBytes));
        }

        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                var buffer = result.Buffer;
                if (buffer.Length > maxBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    return (default, TooLarge(maxBytes));
                }

                if (result.IsCompleted)
                {
                    return (new RequestBody(reader, buffer), null);
                }

                // Keep everything buffered: the parser needs the whole body before anything is written.
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (BadHttpRequestException ex)
        {
            return (default, Problems.Create(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request", ex.Message));
        }
    }

    public void Release() => _reader?.AdvanceTo(Buffer.End);

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The request body is larger than {maxBytes} bytes (Attune:Limits:MaxBodyBytes); split the batch.");

    private static bool IsJson(string? contentType)
    {
        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
            || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var type = media.MediaType;
        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        var charset = media.Charset;
        return json && (!charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }
}
