using Attune.Server.Endpoints;
using Attune.Server.Hosting;

namespace Attune.Server;

public static class AttuneApplicationExtensions
{
    /// <summary>
    /// Adds the request pipeline (problem details for errors, API key checks) and maps every endpoint:
    /// <c>/v1/*</c>, <c>/health</c>, <c>/ready</c> and <c>/openapi/v1.json</c>.
    /// </summary>
    public static WebApplication MapAttuneApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        // Resolved on first use: options are validated when the host starts, after this pipeline is described.
        ApiKeyAuthentication? auth = null;
        app.Use((context, next) => (auth ??= app.Services.GetRequiredService<ApiKeyAuthentication>()).InvokeAsync(context, next));
        app.UseEventObserverBarrier();

        app.MapOpenApi();
        app.MapHealthEndpoints();
        app.MapEventEndpoints();
        app.MapItemEndpoints();
        app.MapUserEndpoints();
        app.MapStatsEndpoints();
        app.MapRecommendationEndpoints();
        app.MapModelEndpoints();
        app.MapCampaignEndpoints();
        app.MapPredictionEndpoints();
        app.MapProfileEndpoints();
        app.MapExperimentEndpoints();
        return app;
    }
}
