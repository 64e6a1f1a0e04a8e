using Attune.Core;

namespace Attune.Storage;

/// <summary>The item catalog.</summary>
public interface ICatalog
{
    /// <summary>Inserts or replaces the items, all-or-nothing.</summary>
    Task UpsertAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken = default);

    Task<Item?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Items in id order after <paramref name="cursor"/> (exclusive; null starts at the beginning).</summary>
    Task<ItemPage> ListAsync(string? cursor, int limit, CancellationToken cancellationToken = default);

    /// <summary>Returns false when there was no such item.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}

/// <param name="NextCursor">Pass back to get the next page; null when this is the last page.</param>
public sealed record ItemPage(IReadOnlyList<Item> Items, string? NextCursor);
