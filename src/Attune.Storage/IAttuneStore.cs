namespace Attune.Storage;

/// <summary>One storage provider: the embedded SQLite default, or PostgreSQL.</summary>
public interface IAttuneStore : IAsyncDisposable
{
    IEventLog Events { get; }

    ICatalog Catalog { get; }

    IUserStore Users { get; }

    /// <summary>Applies pending schema migrations; safe to call on every start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>The schema version after migration.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>True when the store answers queries (for the readiness probe).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}
