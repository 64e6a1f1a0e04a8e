using Attune.Engine.Feedback;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Attune.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Attune.Server.Endpoints;

/// <summary>What every handler needs, resolved once: the store, the limits and the feed of stored events.</summary>
public sealed class ApiServices(StoreHost storeHost, IOptions<AttuneOptions> options, EventFeed feed)
{
    public IAttuneStore Store => storeHost.Store;

    /// <summary>Tell it about every event a handler stored.</summary>
    public EventFeed Feed { get; } = feed;

    public LimitOptions Limits { get; } = options.Value.Limits;

    /// <summary>A 400 naming <paramref name="field"/> when a URL id breaks the id rules, else null.</summary>
    public ProblemHttpResult? CheckId(string id, string field = "id") =>
        WireIds.Check(id, Limits.MaxIdLength) is { } message ? Problems.InvalidField(field, message) : null;
}
