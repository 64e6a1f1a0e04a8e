using Attune.Core;
using Attune.Engine.Feedback;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attune.Server.Endpoints;

public static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/events").WithTags("Events").WithMetadata(new RequiredScope(ApiScope.Ingest));
        group.MapPost(string.Empty, PostEvents)
            .WithName("PostEvents")
            .WithSummary("Record one event or a batch (all or nothing; idempotent by event id)")
            .WithDescription("Body: one event object or an array of up to Attune:Limits:MaxBatchSize events. " +
                "Answers 202 once the events are durable. Any invalid element refuses the whole request with 400 " +
                "and the index and field of every bad element.")
            .Accepts<EventDocument>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> PostEvents(HttpContext context, ApiServices api, EventObserverQueue observers)
    {
        var (body, problem) = await RequestBody.ReadAsync(context, api.Limits.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
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
            return Problems.Invalid(parsed);
        }

        var result = await api.Store.Events.AppendAsync(parsed.Values, context.RequestAborted);
        // Durable from here on: the observers (profiles, real-time serving state) catch up on their own thread, and
        // reads through the API wait for them (EventObserverRegistration.UseEventObserverBarrier).
        await observers.PublishAsync(parsed.Values, result);
        return TypedResults.Accepted((string?)null, new IngestResponse(result.Accepted, result.Duplicates));
    }
}
