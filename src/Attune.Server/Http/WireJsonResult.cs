using System.Text.Json;

namespace Attune.Server.Http;

/// <summary>Writes a response with <see cref="Utf8JsonWriter"/> straight into the response pipe.</summary>
public sealed class WireJsonResult(Action<Utf8JsonWriter> write, int statusCode = StatusCodes.Status200OK) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            write(writer);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
