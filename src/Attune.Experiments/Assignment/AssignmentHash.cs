using System.Text;

namespace Attune.Experiments.Assignment;

/// <summary>
/// A stable hash of (salt, user id) to a uniform number in [0, 1): the same user always lands in the same
/// place for the same salt, on every machine and in every version, and different salts are independent.
/// </summary>
/// <remarks>
/// FNV-1a 64 over the UTF-8 bytes of salt, a 0 separator and the user id, followed by the MurmurHash3 fmix64
/// finalizer so that nearby inputs spread over all 64 bits; the top 53 bits give the unit number. O(length).
/// Deliberately not string.GetHashCode (randomized per process).
/// </remarks>
public static class AssignmentHash
{
    public static ulong Hash(string salt, string userId)
    {
        var hash = 14695981039346656037UL;
        hash = Mix(hash, salt);
        hash = (hash ^ 0) * 1099511628211UL;
        hash = Mix(hash, userId);
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }

    /// <summary>A number in [0, 1) determined by (salt, user id).</summary>
    public static double Unit(string salt, string userId) => (Hash(salt, userId) >> 11) * (1.0 / (1UL << 53));

    /// <summary>A bucket in [0, <paramref name="buckets"/>).</summary>
    public static int Bucket(string salt, string userId, int buckets = 10_000) => (int)(Unit(salt, userId) * buckets);

    private static ulong Mix(ulong hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var bytes = max <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
