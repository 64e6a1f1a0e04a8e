using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attune.Server.Endpoints;

/// <summary>Liveness and readiness probes; open without a key so orchestrators can call them.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new HealthResponse("ok")))
            .WithTags("Health")
            .WithName("Health")
            .WithSummary("Liveness: the process answers");
        app.MapGet("/ready", Ready)
            .WithTags("Health")
            .WithName("Ready")
            .WithSummary("Readiness: the store is open and answers a query");
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> Ready(StoreHost host, HttpContext context)
    {
        if (!host.IsOpen)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Not ready", "The store is not open yet.");
        }

        bool ok;
        try
        {
            ok = await host.Store.PingAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ok = false;
        }

        return ok
            ? TypedResults.Ok(new HealthResponse("ready"))
            : Problems.Create(StatusCodes.Status503ServiceUnavailable, "Not ready", "The store does not answer.");
    }
}
