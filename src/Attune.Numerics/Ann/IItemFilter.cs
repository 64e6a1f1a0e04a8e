namespace Attune.Numerics.Ann;

/// <summary>Decides whether an item may appear in search results (it is still traversed either way).</summary>
internal interface IItemFilter
{
    bool Allows(int id);
}

internal readonly struct AllowAll : IItemFilter
{
    public bool Allows(int id) => true;
}

internal readonly ref struct ExcludeBits(ReadOnlySpan<ulong> bits) : IItemFilter
{
    private readonly ReadOnlySpan<ulong> _bits = bits;

    public bool Allows(int id)
    {
        var word = id >> 6;
        return word >= _bits.Length || (_bits[word] & (1UL << (id & 63))) == 0;
    }
}

internal readonly struct ExcludePredicate(Func<int, bool> exclude) : IItemFilter
{
    public bool Allows(int id) => !exclude(id);
}
