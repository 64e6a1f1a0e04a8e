using Attune.Engine.Feedback;
using Attune.Engine.Models;
using Attune.Engine.Options;
using Attune.Server.Endpoints;
using Attune.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Attune.Server;

public static class ModelsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the model registry of the data folder, the <see cref="ActiveModel"/> that serving reads, and the
    /// background trainer (a hosted service that also counts stored events for the retrain trigger).
    /// </summary>
    public static IServiceCollection AddAttuneModels(this IServiceCollection services)
    {
        services.TryAddSingleton<ActiveModel>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AttuneOptions>>().Value.Models);
        services.TryAddSingleton(sp => new ModelStore(sp.GetRequiredService<IOptions<AttuneOptions>>().Value.DataDir));
        services.TryAddSingleton<ModelRegistry>();
        services.TryAddSingleton<ModelTrainer>();
        services.TryAddSingleton<ICandidateEvaluator, HoldoutEvaluator>();
        services.TryAddSingleton(sp => new ModelTrainingService(
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<ModelTrainer>(),
            sp.GetRequiredService<ICandidateEvaluator>(),
            () => sp.GetRequiredService<StoreHost>().Store,
            sp.GetRequiredService<ILogger<ModelTrainingService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ModelTrainingService>());
        services.AddSingleton<IEventObserver>(sp => sp.GetRequiredService<ModelTrainingService>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(ModelsJsonContext.Default));
        return services;
    }
}
