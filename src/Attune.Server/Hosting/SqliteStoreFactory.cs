using Attune.Engine.Options;
using Attune.Storage;
using Attune.Storage.Sqlite;

namespace Attune.Server.Hosting;

/// <summary>Opens the embedded SQLite store in the data folder.</summary>
public sealed class SqliteStoreFactory : IAttuneStoreFactory
{
    public async Task<IAttuneStore> OpenAsync(string dataDir, StorageOptions options, CancellationToken cancellationToken)
    {
        var synchronous = Enum.Parse<SqliteSynchronous>(options.Synchronous, ignoreCase: true);
        return await SqliteStore.OpenAsync(dataDir, new SqliteStoreOptions(Synchronous: synchronous), cancellationToken);
    }
}
