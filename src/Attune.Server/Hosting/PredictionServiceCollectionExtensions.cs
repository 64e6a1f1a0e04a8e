using Attune.Engine.Options;
using Attune.Engine.Prediction;
using Attune.Engine.Profiles;
using Attune.Server.Endpoints;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Attune.Server.Hosting;

public static class PredictionServiceCollectionExtensions
{
    /// <summary>Behaviour prediction (service, predictor files in the data folder, scheduled scoring) and segment discovery.</summary>
    public static IServiceCollection AddAttunePrediction(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AttuneOptions>>().Value;
            var host = sp.GetRequiredService<StoreHost>();
            return new PredictionService(
                () => host.Store,
                new PredictorRepository(Path.GetFullPath(options.DataDir)),
                options.Prediction,
                sp.GetService<IProfileStore>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<PredictionScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<PredictionScheduler>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PredictionApiJsonContext.Default));
        return services;
    }
}
