using Attune.Engine.Experiments;
using Attune.Engine.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Attune.Server;

public static class ExperimentServiceCollectionExtensions
{
    /// <summary>The experiment repository (in the data folder) and the assignment service other parts ask.</summary>
    public static IServiceCollection AddAttuneExperiments(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AttuneOptions>>().Value;
            return new ExperimentRepository(options.DataDir, options.Experiments, sp.GetService<TimeProvider>());
        });
        services.TryAddSingleton<IExperimentAssignments>(sp => sp.GetRequiredService<ExperimentRepository>());
        return services;
    }
}
