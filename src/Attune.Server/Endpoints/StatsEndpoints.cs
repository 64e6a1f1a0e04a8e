using System.Text.Json;
using Attune.Engine.Diagnostics;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Attune.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Attune.Server.Endpoints;

public static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/stats", GetStats)
            .WithTags("Stats")
            .WithMetadata(new RequiredScope(ApiScope.Admin))
            .WithName("GetStats")
            .WithSummary("Counts of events by type, users and items, the first and last event time, and each feature's section (quality, ...)")
            .Produces<EventStats>();
        return app;
    }

    private static async Task<IResult> GetStats(HttpContext context, ApiServices api, [FromServices] IEnumerable<IStatsSection> sections)
    {
        var stats = await api.Store.Events.GetStatsAsync(context.RequestAborted);
        var parts = sections.ToArray();
        return new WireJsonResult(w =>
        {
            // The event counts keep their documented shape; each section is one more property.
            var node = JsonSerializer.SerializeToNode(stats, ApiJsonContext.Default.EventStats)!.AsObject();
            w.WriteStartObject();
            foreach (var (name, value) in node)
            {
                w.WritePropertyName(name);
                if (value is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    value.WriteTo(w);
                }
            }

            foreach (var section in parts)
            {
                w.WritePropertyName(section.Name);
                section.Write(w);
            }

            w.WriteEndObject();
        });
    }
}
