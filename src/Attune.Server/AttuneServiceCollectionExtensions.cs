using Attune.Engine.Feedback;
using Attune.Server.Campaigns;
using Attune.Engine.Options;
using Attune.Server.Endpoints;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Attune.Server;

public static class AttuneServiceCollectionExtensions
{
    /// <summary>
    /// Registers Attune's options (section <c>Attune</c>, validated at start-up), the store, API key
    /// authentication, problem details and OpenAPI. Pair with <see cref="AttuneApplicationExtensions.MapAttuneApi"/>.
    /// </summary>
    public static IServiceCollection AddAttune(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AttuneOptions>()
            .Bind(configuration.GetSection(AttuneOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AttuneOptions>, AttuneOptionsValidation>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AttuneOptions>>().Value.CreateEventTypeRegistry());

        services.TryAddSingleton<IAttuneStoreFactory, SqliteStoreFactory>();
        services.TryAddSingleton<StoreHost>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreHost>());
        services.TryAddSingleton(sp =>
        {
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger<EventFeed>();
            return new EventFeed(
                sp.GetServices<IEventObserver>(),
                (observer, ex) => log.LogError(ex, "Event observer {Observer} failed; the events are stored.", observer.GetType().Name));
        });
        services.TryAddSingleton(sp =>
        {
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger<CatalogFeed>();
            return new CatalogFeed(
                sp.GetServices<ICatalogObserver>(),
                (observer, ex) => log.LogError(ex, "Catalog observer {Observer} failed; the catalog change is stored.", observer.GetType().Name));
        });
        services.AddAttuneEventObserverQueue();
        services.TryAddSingleton<ApiServices>();
        services.AddAttuneProfiles(configuration);
        services.TryAddSingleton<ApiKeyAuthentication>();
        services.AddAttuneCampaigns();
        services.AddAttuneExperiments();
        services.AddAttuneServing();

        services.AddProblemDetails();
        services.AddExceptionHandler<AttuneExceptionHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddOpenApi();
        services.AddAttuneModels();
        services.AddAttunePrediction();
        // Read straight from configuration: Kestrel is built before options are validated at start-up,
        // and a bad value must surface there, with all the others, not here.
        var maxBody = long.TryParse(configuration[$"{AttuneOptions.SectionName}:Limits:MaxBodyBytes"], out var configured)
            ? configured
            : new LimitOptions().MaxBodyBytes;
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxBody is >= 1024 ? maxBody : null;
        });
        return services;
    }

    /// <summary>Runs <paramref name="callback"/> once the store is open, before requests are served (e.g. to load demo data).</summary>
    public static IServiceCollection AddAttuneStoreOpened(this IServiceCollection services, StoreOpenedCallback callback) =>
        services.AddSingleton(callback);
}
