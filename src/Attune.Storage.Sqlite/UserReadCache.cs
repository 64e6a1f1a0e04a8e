using System.Collections.Concurrent;
using Attune.Core;

namespace Attune.Storage.Sqlite;

/// <summary>
/// Read-through cache of stored users by id, including "no such user" (anonymous visitors are the common case on the
/// serving path). Every write of the users table goes through <see cref="WriteAsync{T}"/>, which drops the written
/// ids once the write has committed (or failed). Thread-safe.
/// </summary>
/// <remarks>
/// A reader that missed may load a row while a write of the same id is in flight and publish the old value after the
/// writer dropped it. To rule that out, a reader only publishes when no write was in flight when it started, and takes
/// its entry back when a write started or finished in the meantime (the writer counts both). The bound is coarse: the
/// whole cache is dropped when it reaches its capacity, which costs one store read per user afterwards and keeps the
/// hot path free of recency bookkeeping. A hit is one dictionary lookup; a miss adds two counter reads.
/// </remarks>
internal sealed class UserReadCache(int capacity)
{
    private static readonly Task<User?> Missing = Task.FromResult<User?>(null);
    private readonly ConcurrentDictionary<string, Task<User?>> _users = new(StringComparer.Ordinal);
    private long _version;
    private int _writing;
    private int _count;

    public bool Enabled => capacity > 0;

    /// <summary>
    /// The cached answer for <paramref name="id"/> as a completed task (its result null when no such user is stored),
    /// or null on a miss. Hits allocate nothing: the entry is the task.
    /// </summary>
    public Task<User?>? Find(string id) => Enabled && _users.TryGetValue(id, out var entry) ? entry : null;

    /// <summary>Reads through <paramref name="load"/> on a miss and publishes the answer when no write can have raced it.</summary>
    public Task<User?> GetAsync(string id, Func<string, CancellationToken, Task<User?>> load, CancellationToken cancellationToken) =>
        Find(id) ?? (Enabled ? LoadAsync(id, load, cancellationToken) : load(id, cancellationToken));

    private async Task<User?> LoadAsync(string id, Func<string, CancellationToken, Task<User?>> load, CancellationToken cancellationToken)
    {

        var version = Volatile.Read(ref _version);
        var quiet = Volatile.Read(ref _writing) == 0;
        var user = await load(id, cancellationToken);
        if (quiet)
        {
            Publish(id, user, version);
        }

        return user;
    }

    /// <summary>Runs a write of the users table and drops <paramref name="ids"/> once it is over, whatever its outcome.</summary>
    public async Task<T> WriteAsync<T>(IEnumerable<string> ids, Func<Task<T>> write)
    {
        Interlocked.Increment(ref _writing);
        try
        {
            return await write();
        }
        finally
        {
            foreach (var id in ids)
            {
                if (_users.TryRemove(id, out _))
                {
                    Interlocked.Decrement(ref _count);
                }
            }

            Interlocked.Increment(ref _version);
            Interlocked.Decrement(ref _writing);
        }
    }

    private void Publish(string id, User? user, long version)
    {
        if (Volatile.Read(ref _count) >= capacity)
        {
            _users.Clear();
            Volatile.Write(ref _count, 0);
        }

        if (_users.TryAdd(id, user is null ? Missing : Task.FromResult<User?>(user)))
        {
            Interlocked.Increment(ref _count);
        }

        // A write that began after this reader looked, and may have committed before or after its read: take the entry back.
        if (Volatile.Read(ref _writing) != 0 || Volatile.Read(ref _version) != version)
        {
            if (_users.TryRemove(id, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
