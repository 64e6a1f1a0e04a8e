using Attune.Engine.Options;
using Microsoft.Extensions.Logging;

namespace Attune.Engine.Models;

/// <summary>
/// The model versions of one data folder and the one that serves: loads the active version at start (falling back to
/// the newest older version that verifies when it is broken), stores new versions, promotes and rolls back.
/// </summary>
/// <remarks>
/// Every activation loads and verifies the version completely before the swap, and the swap itself is the single
/// reference exchange of <see cref="ActiveModel.Activate"/>, so a request never waits for a load and never sees half a
/// model. Registered <see cref="IModelWarmup"/>s run on the new model before the swap, too. Writers (activate,
/// promote, prune) are serialized so that <c>active.json</c> always names the model in memory.
/// </remarks>
public sealed class ModelRegistry(
    ModelStore store,
    ActiveModel active,
    ModelsOptions options,
    ILogger<ModelRegistry> logger,
    IEnumerable<IModelWarmup>? warmups = null,
    TimeProvider? time = null)
{
    private readonly IModelWarmup[] _warmups = warmups?.ToArray() ?? [];
    private readonly SemaphoreSlim _writers = new(1, 1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ModelStore Store => store;

    public ActiveModel Active => active;

    public ModelsOptions Options => options;

    /// <summary>
    /// Loads the version <c>active.json</c> names and activates it. When it cannot be loaded, logs why and tries the
    /// older versions, newest first; the first that verifies is activated and recorded. Returns the loaded version,
    /// or null when there is none (or none that verifies).
    /// </summary>
    public async Task<ServingModel?> LoadActiveAsync(CancellationToken cancellationToken = default)
    {
        if (active.Current is { } already)
        {
            return already;
        }

        var pointer = store.ReadActive();
        var versions = store.Versions();
        if (pointer is null && versions.Count == 0)
        {
            return null;
        }

        var candidates = new List<string>();
        if (pointer is not null)
        {
            candidates.Add(pointer.Version);
            candidates.AddRange(versions.Where(v => string.CompareOrdinal(v, pointer.Version) < 0));
        }
        else
        {
            // No pointer but versions: a crash between the first save and its activation; serve the newest that verifies.
            candidates.AddRange(versions);
        }

        foreach (var version in candidates)
        {
            ServingModel model;
            try
            {
                model = await Task.Run(() => store.Load(version, cancellationToken), cancellationToken);
            }
            catch (ModelArtifactException ex)
            {
                logger.LogError("Refusing model version {Version}: {Problem}", version, ex.Message);
                Record(ModelHistoryKinds.Fallback, version, null, $"Refused at load: {ex.Message}");
                continue;
            }

            await WarmAsync(model, cancellationToken);
            await _writers.WaitAsync(cancellationToken);
            try
            {
                if (active.Current is { } current)
                {
                    // Something (a start-up training) activated a newer model while this one loaded: keep that.
                    return current;
                }

                active.Activate(model);
                if (pointer?.Version != version)
                {
                    store.WriteActive(version, _time.GetUtcNow());
                    logger.LogWarning("Serving model version {Version} instead of {Wanted}, which could not be loaded.", version, pointer?.Version ?? "(none recorded)");
                    Record(ModelHistoryKinds.Activated, version, null, $"Activated at start instead of {pointer?.Version ?? "(none recorded)"}, which could not be loaded.");
                }
                else
                {
                    logger.LogInformation("Serving model version {Version} ({Algorithm}).", version, model.Info.Algorithm);
                }

                return model;
            }
            finally
            {
                _writers.Release();
            }
        }

        logger.LogError("No stored model version could be loaded; recommendations wait for the next training.");
        return null;
    }

    /// <summary>
    /// Makes a stored version the active one (rollback or roll forward): loads and verifies it first, then swaps.
    /// Throws <see cref="ModelArtifactException"/> when it is missing or broken; the active model is then unchanged.
    /// </summary>
    public async Task<ServingModel> ActivateAsync(string version, string reason, CancellationToken cancellationToken = default)
    {
        if (active.Current is { } current && current.Version == version)
        {
            return current;
        }

        // On a lowest-priority thread: the server keeps answering with the current model meanwhile, and should win the cores.
        var model = await LowPriority.Run(() => store.Load(version, cancellationToken), "attune-model-load");
        await WarmAsync(model, cancellationToken);
        await _writers.WaitAsync(cancellationToken);
        try
        {
            var previous = active.Activate(model);
            store.WriteActive(version, _time.GetUtcNow());
            logger.LogInformation("Activated model version {Version} (was {Previous}): {Reason}", version, previous?.Version ?? "none", reason);
            Record(ModelHistoryKinds.Activated, version, null, $"Activated (was {previous?.Version ?? "none"}): {reason}");
            return model;
        }
        finally
        {
            _writers.Release();
        }
    }

    /// <summary>Stores a new version; returns it with its checksum set.</summary>
    public async Task<ServingModel> SaveAsync(ServingModel model, CancellationToken cancellationToken = default)
    {
        await _writers.WaitAsync(cancellationToken);
        try
        {
            return store.Save(model);
        }
        finally
        {
            _writers.Release();
        }
    }

    /// <summary>Makes a just-saved version (already in memory, so nothing is loaded) the active one.</summary>
    public async Task PromoteAsync(ServingModel saved, CancellationToken cancellationToken = default)
    {
        await WarmAsync(saved, cancellationToken);
        await _writers.WaitAsync(cancellationToken);
        try
        {
            active.Activate(saved);
            store.WriteActive(saved.Version, _time.GetUtcNow());
        }
        finally
        {
            _writers.Release();
        }
    }

    /// <summary>Deletes versions beyond <see cref="ModelsOptions.KeepVersions"/>, never the active one.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(CancellationToken cancellationToken = default)
    {
        await _writers.WaitAsync(cancellationToken);
        try
        {
            var deleted = store.Prune(options.KeepVersions, active.Current?.Version ?? store.ReadActive()?.Version);
            foreach (var version in deleted)
            {
                Record(ModelHistoryKinds.Deleted, version, null, $"Deleted: only the newest {options.KeepVersions} versions are kept.");
            }

            return deleted;
        }
        finally
        {
            _writers.Release();
        }
    }

    private async Task WarmAsync(ServingModel model, CancellationToken cancellationToken)
    {
        foreach (var warmup in _warmups)
        {
            await warmup.PrepareAsync(model, cancellationToken);
        }
    }

    /// <summary>Appends to the history file; a failure to record is logged, never thrown (the model itself is fine).</summary>
    public void Record(string kind, string? version, string? runId, string message, PromotionDecision? decision = null)
    {
        try
        {
            store.AppendHistory(new ModelHistoryEntry(_time.GetUtcNow(), kind, version, runId, message, decision));
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Could not record model history ({Kind} {Version}).", kind, version);
        }
    }
}

/// <summary>
/// Work that must be done on a model version before it serves (building an ANN index, warming caches keyed by
/// version): the registry calls every registered warmup after loading and before the swap, off the request path.
/// A warmup that throws stops the activation; the active model stays.
/// </summary>
public interface IModelWarmup
{
    Task PrepareAsync(ServingModel model, CancellationToken cancellationToken);
}
