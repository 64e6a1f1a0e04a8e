using System.Text.Json;
using Attune.Core;
using Attune.Engine.Diagnostics;
using Attune.Engine.Feedback;
using Attune.Engine.Options;
using Attune.Engine.Privacy;
using Attune.Engine.Profiles;
using Attune.Engine.Segments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Attune.Server.Hosting;

public static class ProfileServiceCollectionExtensions
{
    /// <summary>
    /// Registers live profiles (an event, catalog and user observer), rule segments, their <c>profiles.db</c>, the
    /// data-quality <c>quality</c> section of the stats, and rebuilds every profile from the log once the store is
    /// open (before requests are served). With <c>Attune:Profiles:Enabled</c> false only the empty feeds remain.
    /// </summary>
    public static IServiceCollection AddAttuneProfiles(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(sp => new UserDataFeed(sp.GetServices<IUserDataHolder>()));
        var enabled = !bool.TryParse(configuration[$"{AttuneOptions.SectionName}:Profiles:Enabled"], out var e) || e;
        if (!enabled)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => ProfileDatabase.Open(Path.GetFullPath(sp.GetRequiredService<IOptions<AttuneOptions>>().Value.DataDir)));
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AttuneOptions>>().Value;
            return new ProfileService(o.Profiles, o.Quality, sp.GetRequiredService<EventTypeRegistry>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ProfileDatabase>());
        });
        services.TryAddSingleton<IProfileStore>(sp => sp.GetRequiredService<ProfileService>());
        services.TryAddSingleton(sp => new SegmentService(
            sp.GetRequiredService<ProfileService>(),
            sp.GetRequiredService<ProfileDatabase>(),
            sp.GetRequiredService<IOptions<AttuneOptions>>().Value.Profiles,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IEventObserver>(sp => sp.GetRequiredService<ProfileService>());
        services.AddSingleton<ICatalogObserver>(sp => sp.GetRequiredService<ProfileService>());
        services.AddSingleton<IUserDataHolder>(sp => sp.GetRequiredService<ProfileService>());
        services.AddSingleton<IStatsSection>(sp => new QualitySection(sp.GetRequiredService<ProfileService>()));
        services.AddAttuneStoreOpened(async (store, sp, cancellationToken) =>
        {
            var profiles = sp.GetRequiredService<ProfileService>();
            await profiles.RebuildAsync(store, cancellationToken);
            sp.GetRequiredService<SegmentService>().EvaluateAll();
            sp.GetRequiredService<ILogger<ProfileService>>().LogInformation(
                "Profiles rebuilt from the log: {Profiles} profiles, {Items} catalog items indexed; {Quality}.",
                profiles.Count, profiles.IndexedItems, profiles.Quality);
        });
        return services;
    }

    private sealed class QualitySection(ProfileService profiles) : IStatsSection
    {
        public string Name => "quality";

        public void Write(Utf8JsonWriter writer)
        {
            var q = profiles.Quality;
            writer.WriteStartObject();
            writer.WriteNumber("eventsSeen"u8, q.EventsSeen);
            writer.WriteNumber("eventsProfiled"u8, q.EventsProfiled);
            writer.WriteNumber("botEvents"u8, q.BotEvents);
            writer.WriteNumber("botUsers"u8, q.BotUsers);
            writer.WriteNumber("duplicatesRemoved"u8, q.DuplicatesRemoved);
            writer.WriteNumber("consentSkipped"u8, q.ConsentSkipped);
            writer.WriteNumber("sessions"u8, q.Sessions);
            writer.WriteNumber("profiles"u8, profiles.Count);
            writer.WriteEndObject();
        }
    }
}
