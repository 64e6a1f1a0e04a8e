using System.Text;

namespace Attune.Engine.Ingestion;

/// <summary>
/// A fixed-size, direct-mapped cache of id strings keyed by their ASCII bytes, so a user or item id that keeps
/// coming back is one string rather than a new one per event.
/// </summary>
/// <remarks>
/// Ids repeat across events (a user's every event names them; popular items appear in most batches). A new
/// string per event costs the allocation and, because events stay alive until their commit is durable and the
/// observers have applied them, their promotion out of the youngest generation; one shared instance also makes
/// the observers' and the writer's dictionary lookups end at a reference comparison. A slot holds the last id
/// that hashed to it: a miss costs one hash and one string, as without the pool, and memory stays at the array
/// (<see cref="Slots"/> references) plus at most that many strings. Lock-free: strings are immutable and a slot
/// is written with one reference store, so a reader sees either the old or the new string and compares its
/// content. The hash (<see cref="HashCode"/>) is seeded per process, so ids cannot be chosen to collide.
/// </remarks>
internal static class IdStringPool
{
    /// <summary>2^17 slots (1 MiB of references).</summary>
    public const int Slots = 1 << 17;

    /// <summary>Longer ids are not pooled: they are rare, and the comparison grows with them.</summary>
    public const int MaxLength = 64;

    private static readonly string?[] Table = new string?[Slots];

    /// <summary>The pooled string equal to <paramref name="ascii"/> (printable ASCII, checked by the caller).</summary>
    public static string GetOrAdd(ReadOnlySpan<byte> ascii)
    {
        if (ascii.Length > MaxLength)
        {
            return Encoding.Latin1.GetString(ascii);
        }

        var hash = new HashCode();
        hash.AddBytes(ascii);
        var slot = hash.ToHashCode() & (Slots - 1);
        var existing = Volatile.Read(ref Table[slot]);
        if (existing is not null && existing.Length == ascii.Length && Ascii.Equals(ascii, existing))
        {
            return existing;
        }

        var s = Encoding.Latin1.GetString(ascii);
        Volatile.Write(ref Table[slot], s);
        return s;
    }
}
