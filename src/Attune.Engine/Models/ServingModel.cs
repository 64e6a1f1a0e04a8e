using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;

namespace Attune.Engine.Models;

/// <summary>
/// One trained model version, loaded and ready to serve: the components trained on the same data snapshot and
/// the id maps that turn their dense indices back into external ids. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Component names are conventions shared by the trainer and the serving pipeline: <see cref="Main"/> (the
/// configured personalised model, e.g. als or ease), <c>item-knn</c> (similar items and candidates from a user's
/// latest items), <c>sequence</c> (what comes next in a session), <c>content</c> (neighbours of new items),
/// <c>popularity</c> and <c>trending</c> (cold start). Serving uses whichever are present.
/// </remarks>
public sealed class ServingModel
{
    public const string Main = "main";

    public ServingModel(ModelVersionInfo info, IdMap users, IdMap items, IReadOnlyDictionary<string, IRecommender> components)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(components);
        foreach (var (name, model) in components)
        {
            if (model.ItemCount != items.Count)
            {
                throw new ArgumentException($"Component '{name}' scores {model.ItemCount} items but the item map holds {items.Count}.", nameof(components));
            }
        }

        Info = info;
        Users = users;
        Items = items;
        Components = components;
    }

    public ModelVersionInfo Info { get; }

    public string Version => Info.Version;

    public IdMap Users { get; }

    public IdMap Items { get; }

    public IReadOnlyDictionary<string, IRecommender> Components { get; }

    public IRecommender? Get(string component) => Components.GetValueOrDefault(component);
}

/// <summary>What the registry records about a model version.</summary>
/// <param name="Version">Sortable, unique id, e.g. <c>20261122T150102Z-3f9a</c>.</param>
/// <param name="Algorithm">The main component's algorithm spec as given to the trainer, e.g. <c>als:factors=64</c>.</param>
/// <param name="Options">The main component's options, every hyper-parameter listed.</param>
/// <param name="SnapshotFromMs">Earliest event time in the training snapshot (Unix ms); null when empty.</param>
/// <param name="SnapshotToMs">Latest event time in the training snapshot (Unix ms); null when empty.</param>
/// <param name="Events">Interactions the snapshot held.</param>
/// <param name="OfflineMetrics">Metrics measured before promotion, keyed like <c>ndcg@10</c>.</param>
/// <param name="Checksum">Hex SHA-256 of the stored artifact.</param>
public sealed record ModelVersionInfo(
    string Version,
    string Algorithm,
    string Options,
    long? SnapshotFromMs,
    long? SnapshotToMs,
    long Events,
    IReadOnlyDictionary<string, double> OfflineMetrics,
    DateTimeOffset CreatedAt,
    string Checksum);

/// <summary>
/// Holds the model that answers requests. Readers take <see cref="Current"/> once per request and keep using that
/// instance, so a swap never tears a request; a swap is a single reference exchange.
/// </summary>
public sealed class ActiveModel
{
    private ServingModel? _current;

    /// <summary>Null until a first model is trained or loaded.</summary>
    public ServingModel? Current => Volatile.Read(ref _current);

    /// <summary>Raised after each swap, with the new model (e.g. to rebuild indexes or caches keyed by version).</summary>
    public event Action<ServingModel>? Activated;

    /// <summary>Makes <paramref name="model"/> the one that answers; returns the one it replaced.</summary>
    public ServingModel? Activate(ServingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var previous = Interlocked.Exchange(ref _current, model);
        Activated?.Invoke(model);
        return previous;
    }
}
