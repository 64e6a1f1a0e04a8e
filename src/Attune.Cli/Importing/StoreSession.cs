using Attune.Storage.Sqlite;

namespace Attune.Cli.Importing;

/// <summary>Opens the embedded store the way the server does (same file, same durability setting).</summary>
internal static class StoreSession
{
    public static async Task<SqliteStore> OpenAsync(CliEnvironment env, string dataDir, CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<SqliteSynchronous>(env.Synchronous, ignoreCase: true, out var synchronous))
        {
            throw new InvalidOperationException($"Attune:Storage:Synchronous '{env.Synchronous}' is not supported; use 'Full' or 'Normal'.");
        }

        Directory.CreateDirectory(dataDir);
        var store = await SqliteStore.OpenAsync(dataDir, new SqliteStoreOptions(Synchronous: synchronous), cancellationToken);
        await store.MigrateAsync(cancellationToken);
        return store;
    }
}
