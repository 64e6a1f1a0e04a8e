using Attune.Core;

namespace Attune.Storage;

/// <summary>Users, their attributes and consent, and the privacy operations on them.</summary>
public interface IUserStore
{
    /// <summary>Inserts or replaces the users, all-or-nothing.</summary>
    Task UpsertAsync(IReadOnlyList<User> users, CancellationToken cancellationToken = default);

    Task<User?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every stored user, in id order (ordinal), streamed.</summary>
    IAsyncEnumerable<User> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Erases every row about the user (the user record, all their events, anything derived) in one
    /// transaction. Returns false when nothing was stored about them.
    /// </summary>
    Task<bool> EraseAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every stored fact about the user; null when nothing is stored.</summary>
    Task<UserExport?> ExportAsync(string id, CancellationToken cancellationToken = default);
}

public sealed record UserExport(User? User, IReadOnlyList<Event> Events, DateTimeOffset ExportedAt);
