using Attune.Core;

namespace Attune.Storage;

/// <summary>The source-of-truth log of behaviour events.</summary>
public interface IEventLog
{
    /// <summary>
    /// Appends a batch all-or-nothing. Events whose id is already stored (or repeated inside the batch) are
    /// counted as duplicates and not stored again. When the task completes the events are durable: they
    /// survive a crash of the process (fsync'd, possibly shared with concurrent callers by group commit).
    /// </summary>
    ValueTask<AppendResult> AppendAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default);

    /// <summary>One user's events, oldest first.</summary>
    IAsyncEnumerable<Event> ReadUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every stored event, with context and properties, in arrival order, streamed, from one consistent
    /// read snapshot.
    /// Used to rebuild derived state (profiles) from the source of truth.
    /// </summary>
    IAsyncEnumerable<Event> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Every interaction with an item in <paramref name="range"/>, in log order, as columns.</summary>
    Task<InteractionSnapshot> ReadSnapshotAsync(SnapshotRange? range = null, CancellationToken cancellationToken = default);

    Task<EventStats> GetStatsAsync(CancellationToken cancellationToken = default);
}

/// <param name="Accepted">Events stored by this call.</param>
/// <param name="Duplicates">Events not stored because their id was already stored or repeated in the batch.</param>
public readonly record struct AppendResult(int Accepted, int Duplicates)
{
    /// <summary>
    /// Positions in the appended batch of the events counted in <see cref="Duplicates"/>, ascending; null when
    /// there were none (or a remote sink could not tell). Lets event observers see only what was stored.
    /// Not part of equality: two results with the same counts are equal.
    /// </summary>
    public IReadOnlyList<int>? DuplicateIndices { get; init; }

    public bool Equals(AppendResult other) => Accepted == other.Accepted && Duplicates == other.Duplicates;

    public override int GetHashCode() => HashCode.Combine(Accepted, Duplicates);
}

/// <summary>A time window [From, To) in Unix milliseconds; null ends are open.</summary>
public sealed record SnapshotRange(long? FromMs = null, long? ToMs = null);

/// <param name="Events">Stored events.</param>
/// <param name="Users">Distinct users with at least one stored event.</param>
/// <param name="Items">Distinct items referenced by stored events (a provider may keep counting items whose events were erased).</param>
/// <param name="FirstEvent">Earliest event time; null when the log is empty.</param>
/// <param name="LastEvent">Latest event time; null when the log is empty.</param>
public sealed record EventStats(
    long Events,
    long Users,
    long Items,
    IReadOnlyDictionary<string, long> EventsByType,
    DateTimeOffset? FirstEvent,
    DateTimeOffset? LastEvent);
