using System.Buffers.Text;
using System.Reflection;
using Attune.Core;
using Attune.Engine.Feedback;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Attune.Server.Endpoints;

public static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/events").WithTags("Events").WithMetadata(new RequiredScope(ApiScope.Ingest));

        // A plain request delegate rather than a typed-result handler: single-event posts are the hottest path of the
        // API, and the generated binding and the generic JSON writer of the 202 body cost about as much CPU per request
        // as parsing the event. The OpenAPI metadata is declared here instead of inferred.
        group.MapPost(string.Empty, PostEvents)
            .WithName("PostEvents")
            .WithSummary("Record one event or a batch (all or nothing; idempotent by event id)")
            .WithDescription("Body: one event object or an array of up to Attune:Limits:MaxBatchSize events. " +
                "Answers 202 once the events are durable. Any invalid element refuses the whole request with 400 " +
                "and the index and field of every bad element.")
            .WithMetadata(
                // The OpenAPI generator describes only endpoints that carry their handler's method.
                typeof(EventEndpoints).GetMethod(nameof(PostEvents), BindingFlags.NonPublic | BindingFlags.Static)!,
                new AcceptsMetadata(["application/json"], typeof(EventDocument)),
                new ProducesResponseTypeMetadata(StatusCodes.Status202Accepted, typeof(IngestResponse), ["application/json"]),
                Problem(StatusCodes.Status400BadRequest),
                Problem(StatusCodes.Status413PayloadTooLarge),
                Problem(StatusCodes.Status415UnsupportedMediaType));
        return app;
    }

    private static ProducesResponseTypeMetadata Problem(int status) =>
        new(status, typeof(ProblemDetails), ["application/problem+json"]);

    private static async Task PostEvents(HttpContext context)
    {
        var api = context.RequestServices.GetRequiredService<ApiServices>();
        var (body, problem) = await RequestBody.ReadAsync(context, api.Limits.MaxBodyBytes);
        if (problem is not null)
        {
            await problem.ExecuteAsync(context);
            return;
        }

        ParseResult<Event> parsed;
        try
        {
            parsed = EventJsonReader.Read(body.Buffer, api.Limits, DateTimeOffset.UtcNow);
        }
        finally
        {
            body.Release();
        }

        if (!parsed.IsValid)
        {
            await Problems.Invalid(parsed).ExecuteAsync(context);
            return;
        }

        var result = await api.Store.Events.AppendAsync(parsed.Values, context.RequestAborted);
        // Durable from here on: the observers (profiles, real-time serving state) catch up on their own thread, and
        // reads through the API wait for them (EventObserverRegistration.UseEventObserverBarrier).
        await context.RequestServices.GetRequiredService<EventObserverQueue>().PublishAsync(parsed.Values, result);
        await IngestAnswer.WriteAsync(context.Response, result.Accepted, result.Duplicates);
    }
}

/// <summary>Writes the 202 body of <c>POST /v1/events</c> (<see cref="IngestResponse"/>) from preformatted bytes.</summary>
internal static class IngestAnswer
{
    private static ReadOnlySpan<byte> Accepted => "{\"accepted\":"u8;

    private static ReadOnlySpan<byte> Duplicates => ",\"duplicates\":"u8;

    /// <summary>The same bytes the source-generated serializer writes for <see cref="IngestResponse"/>.</summary>
    public static int Format(Span<byte> destination, int accepted, int duplicates)
    {
        Accepted.CopyTo(destination);
        var n = Accepted.Length;
        Utf8Formatter.TryFormat(accepted, destination[n..], out var written);
        n += written;
        Duplicates.CopyTo(destination[n..]);
        n += Duplicates.Length;
        Utf8Formatter.TryFormat(duplicates, destination[n..], out written);
        n += written;
        destination[n++] = (byte)'}';
        return n;
    }

    public static Task WriteAsync(HttpResponse response, int accepted, int duplicates)
    {
        // Two int32 values at most 11 characters each around 27 fixed bytes.
        Span<byte> buffer = stackalloc byte[64];
        var length = Format(buffer, accepted, duplicates);
        response.StatusCode = StatusCodes.Status202Accepted;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = length;
        var writer = response.BodyWriter;
        buffer[..length].CopyTo(writer.GetSpan(length));
        writer.Advance(length);
        var flush = writer.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
