using Attune.Engine.Options;
using Attune.Server.Hosting;

namespace Attune.Server;

/// <summary>What a host (the <c>attune</c> CLI, a test) may set on top of appsettings.json, environment and arguments.</summary>
public sealed record AttuneHostSettings
{
    /// <summary>Overrides <c>Attune:DataDir</c>.</summary>
    public string? DataDir { get; init; }

    /// <summary>Overrides <c>urls</c>, e.g. <c>http://127.0.0.1:5080</c> (semicolon-separated).</summary>
    public string? Urls { get; init; }

    /// <summary>Runs once the store is open and migrated, before the first request and before Attune's own start-up work.</summary>
    public StoreOpenedCallback? OnStoreOpened { get; init; }

    /// <summary>Extra service registrations, applied after Attune's own (so they may replace them).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>
/// The one way to host the Attune API: <c>Program.cs</c>, <c>attune serve</c> and <c>attune demo</c> all call
/// <see cref="Build"/> (or <see cref="RunAsync"/>).
/// </summary>
public static class AttuneServer
{
    /// <summary>A builder with Attune's configuration defaults, <paramref name="settings"/> applied and services added.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, AttuneHostSettings? settings = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Lowest priority: appsettings.json, ATTUNE__* variables and arguments all override these.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                // Per-request logging costs more than the request on the ingest path.
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });

        var overrides = new Dictionary<string, string?>();
        if (settings?.DataDir is { } dataDir)
        {
            overrides[$"{AttuneOptions.SectionName}:DataDir"] = dataDir;
        }

        if (settings?.Urls is { } urls)
        {
            overrides["urls"] = urls;
        }

        if (overrides.Count > 0)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
            if (settings?.Urls is { } u)
            {
                builder.WebHost.UseUrls(u);
            }
        }

        // The host's callback is registered first so it runs before Attune's own start-up work (profiles rebuilt
        // from the log, segment evaluation): what it loads, such as the demo shop, is seen by them.
        if (settings?.OnStoreOpened is { } callback)
        {
            builder.Services.AddAttuneStoreOpened(callback);
        }

        builder.Services.AddAttune(builder.Configuration);

        settings?.ConfigureServices?.Invoke(builder.Services);
        return builder;
    }

    /// <summary>
    /// Builds the application with every endpoint mapped. Throws <see cref="InvalidOperationException"/>, with a
    /// message naming every bad option, when the configuration is invalid or when asked to listen beyond
    /// loopback without API keys.
    /// </summary>
    public static WebApplication Build(string[] args, AttuneHostSettings? settings = null)
    {
        var builder = CreateBuilder(args, settings);
        var options = builder.Configuration.GetSection(AttuneOptions.SectionName).Get<AttuneOptions>() ?? new AttuneOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid configuration: " + string.Join(" ", errors));
        }

        BindingGuard.Check(builder.Configuration, options);
        var app = builder.Build();
        app.MapAttuneApi();
        return app;
    }

    /// <summary>Builds and runs the server until <paramref name="cancellationToken"/> fires or the process is asked to stop.</summary>
    public static async Task RunAsync(string[] args, AttuneHostSettings? settings = null, CancellationToken cancellationToken = default)
    {
        await using var app = Build(args, settings);
        await app.RunAsync(cancellationToken);
    }
}
