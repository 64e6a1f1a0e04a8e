using System.Text.Json;
using Attune.Engine.Options;
using Attune.Engine.Profiles;
using Attune.Engine.Segments.Discovery;
using Attune.Server.Hosting;
using Attune.Server.Http;

namespace Attune.Server.Endpoints;

/// <summary>Discovered segments: k-means++ over profile feature vectors, k chosen by silhouette, clusters described in words.</summary>
public static class SegmentDiscoveryEndpoints
{
    public static IEndpointRouteBuilder MapSegmentDiscoveryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/segments/discover", Discover)
            .WithTags("Segments")
            .WithMetadata(new RequiredScope(ApiScope.Admin))
            .WithName("DiscoverSegments")
            .WithSummary("Cluster the current profiles (k within a range, chosen by silhouette; deterministic by seed) and describe each cluster")
            .Accepts<DiscoverSegmentsRequest>("application/json")
            .Produces<SegmentDiscoveryResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> Discover(HttpContext context, IServiceProvider services)
    {
        DiscoverSegmentsRequest? body = null;
        if (context.Request.ContentLength is not 0)
        {
            try
            {
                body = await JsonSerializer.DeserializeAsync(context.Request.Body, PredictionApiJsonContext.Default.DiscoverSegmentsRequest, context.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request body", $"The body is not valid JSON: {ex.Message}");
            }
        }

        var defaults = new SegmentDiscoveryOptions();
        var options = new SegmentDiscoveryOptions(
            body?.MinK ?? defaults.MinK,
            body?.MaxK ?? Math.Max(defaults.MaxK, body?.MinK ?? 0),
            body?.Seed ?? defaults.Seed,
            body?.InterestKeys ?? defaults.InterestKeys,
            body?.SampleMembers ?? defaults.SampleMembers);
        if (options.Check() is { } bad)
        {
            return Problems.InvalidField(bad.Field, bad.Message);
        }

        if (services.GetService<IProfileStore>() is not { } profiles)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Profiles unavailable", "Live profiles are not enabled on this server.");
        }

        try
        {
            var result = await Task.Run(() => SegmentDiscovery.Discover(profiles.All(), options, profiles.PredictionNames), context.RequestAborted);
            return TypedResults.Ok(result);
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Cannot discover segments", ex.Message);
        }
    }
}
