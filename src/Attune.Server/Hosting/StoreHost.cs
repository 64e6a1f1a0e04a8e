using Attune.Engine.Options;
using Attune.Storage;
using Microsoft.Extensions.Options;

namespace Attune.Server.Hosting;

/// <summary>Opens the store named by <see cref="StorageOptions"/> in a data folder.</summary>
public interface IAttuneStoreFactory
{
    Task<IAttuneStore> OpenAsync(string dataDir, StorageOptions options, CancellationToken cancellationToken);
}

/// <summary>Code to run once the store is open and migrated, before the server takes requests (e.g. loading demo data).</summary>
public delegate Task StoreOpenedCallback(IAttuneStore store, IServiceProvider services, CancellationToken cancellationToken);

/// <summary>
/// Owns the store for the process: opens and migrates it when the host starts (before Kestrel listens),
/// runs the registered <see cref="StoreOpenedCallback"/>s, and disposes it when the host stops, which
/// flushes pending group commits.
/// </summary>
public sealed class StoreHost(
    IAttuneStoreFactory factory,
    IOptions<AttuneOptions> options,
    IEnumerable<StoreOpenedCallback> callbacks,
    IServiceProvider services,
    ILogger<StoreHost> logger) : IHostedLifecycleService, IAsyncDisposable
{
    private IAttuneStore? _store;

    /// <summary>The open store; throws before the host has started.</summary>
    public IAttuneStore Store => _store ?? throw new InvalidOperationException("The store is not open yet.");

    public bool IsOpen => _store is not null;

    /// <summary>Lifecycle "starting" hooks all run before any service starts, Kestrel included.</summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var dataDir = Path.GetFullPath(o.DataDir);
        Directory.CreateDirectory(dataDir);
        var store = await factory.OpenAsync(dataDir, o.Storage, cancellationToken);
        await store.MigrateAsync(cancellationToken);
        _store = store;
        logger.LogInformation("Store {Provider} open in {DataDir} (schema version {Version}).",
            o.Storage.Provider, dataDir, await store.GetSchemaVersionAsync(cancellationToken));
        if (o.Auth.ApiKeys.Count == 0)
        {
            logger.LogWarning(
                "No API keys are configured (Attune:Auth:ApiKeys): anyone who can reach the API may use it, so the server only listens on loopback.");
        }

        foreach (var callback in callbacks)
        {
            await callback(store, services, cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After Kestrel has drained in-flight requests, close the store (which flushes pending commits).</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        var store = Interlocked.Exchange(ref _store, null);
        if (store is not null)
        {
            await store.DisposeAsync();
        }
    }
}
