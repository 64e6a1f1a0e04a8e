using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Attune.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Attune.Server.Endpoints;

/// <summary>What every handler needs, resolved once: the store and the limits.</summary>
public sealed class ApiServices(StoreHost storeHost, IOptions<AttuneOptions> options)
{
    public IAttuneStore Store => storeHost.Store;

    public LimitOptions Limits { get; } = options.Value.Limits;

    /// <summary>A 400 naming <paramref name="field"/> when a URL id breaks the id rules, else null.</summary>
    public ProblemHttpResult? CheckId(string id, string field = "id") =>
        WireIds.Check(id, Limits.MaxIdLength) is { } message ? Problems.InvalidField(field, message) : null;
}
