using Attune.Engine.Options;
using Attune.Storage;

namespace Attune.Server.Hosting;

/// <summary>Opens the embedded SQLite store in the data folder.</summary>
public sealed class SqliteStoreFactory : IAttuneStoreFactory
{
    public Task<IAttuneStore> OpenAsync(string dataDir, StorageOptions options, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The SQLite provider is not built in yet.");
}
