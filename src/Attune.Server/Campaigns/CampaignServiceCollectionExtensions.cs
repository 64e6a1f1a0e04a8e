using Attune.Engine.Campaigns;
using Attune.Engine.Campaigns.Templates;
using Attune.Engine.Feedback;
using Attune.Engine.Options;
using Attune.Engine.Privacy;
using Attune.Engine.Profiles;
using Attune.Server.Endpoints;
using Attune.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Attune.Server.Campaigns;

public static class CampaignServiceCollectionExtensions
{
    /// <summary>
    /// Campaigns, decisions and their rewards: the repository, policies and decisions log under
    /// <c>DataDir/campaigns</c>, the <see cref="DecisionService"/>, the reward observer on the event feed and the
    /// host that restores and saves their state; the campaigns' user data (decisions log, attention budget) takes part
    /// in erasure and export. Recommendation blocks are empty until an
    /// <see cref="IRecommendationBlocks"/> is registered.
    /// </summary>
    public static IServiceCollection AddAttuneCampaigns(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new CampaignRepository(
            CampaignFolders.Root(sp),
            new TemplateLimits(MaxOutputLength: sp.GetRequiredService<IOptions<AttuneOptions>>().Value.Campaigns.MaxContentLength)));
        services.TryAddSingleton(sp => new CampaignPolicies(Path.Combine(CampaignFolders.Root(sp), "policies")));
        services.TryAddSingleton(sp => new DecisionLog(
            Path.Combine(CampaignFolders.Root(sp), "decisions"),
            sp.GetRequiredService<IOptions<AttuneOptions>>().Value.Campaigns.DecisionLogRetentionDays));
        services.TryAddSingleton<IDecisionSubjects>(sp =>
        {
            var host = sp.GetRequiredService<StoreHost>();
            return new StoreDecisionSubjects(() => host.Store.Users, sp.GetService<IProfileStore>());
        });
        services.TryAddSingleton<IRecommendationBlocks>(NoRecommendationBlocks.Instance);
        services.TryAddSingleton(sp => new DecisionService(
            sp.GetRequiredService<CampaignRepository>(),
            sp.GetRequiredService<CampaignPolicies>(),
            sp.GetRequiredService<DecisionLog>(),
            sp.GetRequiredService<IDecisionSubjects>(),
            sp.GetRequiredService<IRecommendationBlocks>(),
            sp.GetRequiredService<IOptions<AttuneOptions>>().Value.Campaigns));
        services.AddSingleton<IEventObserver>(sp => new DecisionRewardObserver(sp.GetRequiredService<DecisionService>()));
        services.AddSingleton<IUserDataHolder>(sp => new CampaignUserData(sp.GetRequiredService<DecisionService>()));
        services.AddHostedService<CampaignHost>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CampaignApiJsonContext.Default));
        return services;
    }
}

internal static class CampaignFolders
{
    public static string Root(IServiceProvider sp) =>
        Path.Combine(Path.GetFullPath(sp.GetRequiredService<IOptions<AttuneOptions>>().Value.DataDir), "campaigns");
}

/// <summary>Restores the attention budget and pending rewards at start, saves policy state periodically and at stop.</summary>
internal sealed class CampaignHost(DecisionService decisions, IOptions<AttuneOptions> options, ILogger<CampaignHost> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var restored = decisions.Restore();
        logger.LogInformation("Campaigns: {Count} campaigns, {Restored} recent decisions restored from the log.",
            decisions.Campaigns.Current.All.Count, restored);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        decisions.Maintain();
        await decisions.Log.DisposeAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Campaigns.StateSaveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    decisions.Maintain();
                }
                catch (IOException ex)
                {
                    logger.LogError(ex, "Saving campaign policy state failed; retrying at the next interval.");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync saves once more.
        }
    }
}
