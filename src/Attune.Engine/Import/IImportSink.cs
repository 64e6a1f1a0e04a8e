using Attune.Core;
using Attune.Storage;

namespace Attune.Engine.Import;

/// <summary>Where an import writes: straight into a store, or through the HTTP API of a running server.</summary>
public interface IImportSink
{
    /// <summary>The most records one call should carry (the HTTP API caps a request's batch).</summary>
    int MaxBatchSize { get; }

    Task UpsertItemsAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken);

    Task UpsertUsersAsync(IReadOnlyList<User> users, CancellationToken cancellationToken);

    /// <summary>Appends events; events with an id already stored count as duplicates.</summary>
    Task<AppendResult> AppendEventsAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken);
}

/// <summary>Writes into an open <see cref="IAttuneStore"/> in the same process.</summary>
public sealed class StoreImportSink(IAttuneStore store) : IImportSink
{
    public int MaxBatchSize => 100_000;

    public Task UpsertItemsAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken) =>
        store.Catalog.UpsertAsync(items, cancellationToken);

    public Task UpsertUsersAsync(IReadOnlyList<User> users, CancellationToken cancellationToken) =>
        store.Users.UpsertAsync(users, cancellationToken);

    public Task<AppendResult> AppendEventsAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken) =>
        store.Events.AppendAsync(events, cancellationToken).AsTask();
}
