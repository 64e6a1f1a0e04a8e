using Attune.Client;
using Attune.Core;
using Attune.Engine.Import;
using Attune.Engine.Ingestion;
using Attune.Storage;

namespace Attune.Cli.Importing;

/// <summary>Imports through a running server's HTTP API (the server keeps its single writer).</summary>
internal sealed class HttpImportSink(AttuneClient client) : IImportSink
{
    /// <summary>The server's default <c>Attune:Limits:MaxBatchSize</c>; lower --batch-size for a server configured lower.</summary>
    public int MaxBatchSize => 10_000;

    public Task UpsertItemsAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken) =>
        client.UpsertItemsAsync(items, cancellationToken);

    public async Task UpsertUsersAsync(IReadOnlyList<User> users, CancellationToken cancellationToken)
    {
        // The API updates users one at a time; users are few next to events, so this is not the bottleneck.
        foreach (var u in users)
        {
            await client.PutUserAsync(new UserUpdate(u.Id, u.Attributes, null, null), cancellationToken);
        }
    }

    public async Task<AppendResult> AppendEventsAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        var r = await client.PostEventsAsync(events, cancellationToken);
        return new AppendResult(r.Accepted, r.Duplicates);
    }
}
