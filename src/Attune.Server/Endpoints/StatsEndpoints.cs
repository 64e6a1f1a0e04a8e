using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attune.Server.Endpoints;

public static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/stats", GetStats)
            .WithTags("Stats")
            .WithMetadata(new RequiredScope(ApiScope.Admin))
            .WithName("GetStats")
            .WithSummary("Counts of events by type, users and items, and the first and last event time");
        return app;
    }

    private static async Task<Ok<EventStats>> GetStats(HttpContext context, ApiServices api) =>
        TypedResults.Ok(await api.Store.Events.GetStatsAsync(context.RequestAborted));
}
