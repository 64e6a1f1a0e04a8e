using Attune.Engine.Campaigns;
using Attune.Engine.Profiles;
using Attune.Engine.Feedback;
using Attune.Engine.Models;
using Attune.Engine.Options;
using Attune.Engine.Privacy;
using Attune.Engine.Realtime;
using Attune.Engine.Recommendations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Attune.Server.Hosting;

public static class ServingRegistration
{
    /// <summary>
    /// Registers the live recommendation service: the active-model holder, the in-memory catalog, real-time user state
    /// and counters (event and catalog observers), online metrics kept in <c>{DataDir}/serving</c>, and the warm-up.
    /// </summary>
    public static IServiceCollection AddAttuneServing(this IServiceCollection services)
    {
        services.TryAddSingleton<ActiveModel>();
        services.TryAddSingleton<LiveCatalog>();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AttuneOptions>>().Value;
            return new OnlineMetrics(o.Serving.MetricsLedgerCapacity, Path.Combine(Path.GetFullPath(o.DataDir), "serving"));
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AttuneOptions>>().Value;
            var storeHost = sp.GetRequiredService<StoreHost>();
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger<RecommendationService>();
            return new RecommendationService(
                o.Serving,
                sp.GetRequiredService<ActiveModel>(),
                sp.GetRequiredService<LiveCatalog>(),
                () => storeHost.Store,
                sp.GetRequiredService<Attune.Core.EventTypeRegistry>(),
                sp.GetRequiredService<OnlineMetrics>(),
                onAnnError: (model, ex) => log.LogError(ex, "Building the HNSW index of model {Version} failed; serving scans every item.", model.Version));
        });
        services.AddSingleton<IEventObserver>(sp => sp.GetRequiredService<RecommendationService>());
        services.AddSingleton<IEventObserver>(sp => sp.GetRequiredService<OnlineMetrics>());
        services.AddSingleton<ICatalogObserver>(sp => sp.GetRequiredService<RecommendationService>());
        services.AddSingleton<IModelWarmup>(sp => sp.GetRequiredService<RecommendationService>());
        services.AddSingleton<IUserDataHolder>(sp => sp.GetRequiredService<RecommendationService>());
        services.AddHostedService<ServingWarmUp>();
        // Campaign templates' recommendation blocks come from the same service (replacing the empty default).
        services.Replace(ServiceDescriptor.Singleton<IRecommendationBlocks>(sp =>
            new ServingRecommendationBlocks(sp.GetRequiredService<RecommendationService>(), sp.GetService<IProfileStore>())));
        return services;
    }
}

/// <summary>
/// Once every start-up hook has run (demo data included), loads the catalog and fills the live popularity counters
/// from the recent event log, in the background so that the server answers meanwhile (with what it has).
/// </summary>
public sealed class ServingWarmUp(RecommendationService service, StoreHost store, ILogger<ServingWarmUp> logger) : IHostedLifecycleService
{
    private readonly CancellationTokenSource _stop = new();
    private Task _warmUp = Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (store.IsOpen)
        {
            _warmUp = Task.Run(async () =>
            {
                try
                {
                    await service.WarmUpAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Serving warm-up failed; popularity counters start empty.");
                }
            });
        }

        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _warmUp;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _stop.Dispose();
        return Task.CompletedTask;
    }
}
