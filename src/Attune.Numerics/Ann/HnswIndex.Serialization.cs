using System.Runtime.InteropServices;
using System.Text;

namespace Attune.Numerics.Ann;

public sealed partial class HnswIndex
{
    private const uint Magic = 0x57534E48; // "HNSW" little-endian
    private const int FormatVersion = 1;

    /// <summary>
    /// Writes the index: a magic number, the format version, the options, the shape, then the raw arrays,
    /// each preceded by its length. The stream is left open.
    /// </summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Options.M);
        w.Write(Options.EfConstruction);
        w.Write(Options.EfSearch);
        w.Write(Options.Seed);
        w.Write(Options.KeepPrunedConnections);
        w.Write(Count);
        w.Write(Dimension);
        w.Write(_entry);
        w.Write(_topLevel);
        WriteArray(w, _vectors);
        WriteArray(w, _levels);
        WriteArray(w, _layer0);
        WriteArray(w, _upperOffset);
        WriteArray(w, _upper);
    }

    /// <summary>Reads an index written by <see cref="Save"/>; throws <see cref="InvalidDataException"/> on a damaged or foreign stream.</summary>
    public static HnswIndex Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (r.ReadUInt32() != Magic)
            {
                throw new InvalidDataException("Not an HNSW index stream (bad magic number).");
            }

            var version = r.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"HNSW index format version {version} is not supported (expected {FormatVersion}).");
            }

            var options = new HnswOptions(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadBoolean());
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new InvalidDataException($"HNSW index has invalid options: {e.Message}", e);
            }

            var count = r.ReadInt32();
            var dimension = r.ReadInt32();
            var entry = r.ReadInt32();
            var topLevel = r.ReadInt32();
            if (count < 0 || dimension < 1 || topLevel < 0 || topLevel > MaxLevel || (count > 0 && (entry < 0 || entry >= count)))
            {
                throw new InvalidDataException($"HNSW index header is inconsistent (count {count}, dimension {dimension}, entry {entry}, top level {topLevel}).");
            }

            var vectors = ReadArray<float>(r, (long)count * dimension, "vectors");
            var levels = ReadArray<byte>(r, count, "levels");
            var layer0 = ReadArray<int>(r, (long)count * ((2 * options.M) + 1), "layer 0 links");
            var upperOffset = ReadArray<int>(r, count, "upper offsets");
            var upper = ReadArray<int>(r, -1, "upper links");
            var index = new HnswIndex(count, dimension, options, vectors, levels, layer0, upperOffset, upper, entry, topLevel);
            index.CheckGraph();
            return index;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("HNSW index stream ends early (truncated).", e);
        }
    }

    // Every stored link must name a real item on a layer it lives on, so a damaged file cannot send a search out of bounds.
    private void CheckGraph()
    {
        var expectedUpper = 0L;
        for (var i = 0; i < Count; i++)
        {
            if (_levels[i] > _topLevel || _upperOffset[i] != expectedUpper)
            {
                throw new InvalidDataException($"HNSW index node {i} has an inconsistent level or link offset.");
            }

            expectedUpper += (long)_levels[i] * (Options.M + 1);
        }

        if (expectedUpper != _upper.Length)
        {
            throw new InvalidDataException($"HNSW index upper links hold {_upper.Length} ints, expected {expectedUpper}.");
        }

        if (Count > 0 && _levels[_entry] != _topLevel)
        {
            throw new InvalidDataException("HNSW index entry point is not on the top layer.");
        }

        for (var i = 0; i < Count; i++)
        {
            for (var layer = 0; layer <= _levels[i]; layer++)
            {
                var links = Links(i, layer);
                var capacity = layer == 0 ? 2 * Options.M : Options.M;
                if (links[0] < 0 || links[0] > capacity)
                {
                    throw new InvalidDataException($"HNSW index node {i} has {links[0]} links on layer {layer}, more than {capacity}.");
                }

                for (var j = 1; j <= links[0]; j++)
                {
                    var e = links[j];
                    if (e < 0 || e >= Count || _levels[e] < layer)
                    {
                        throw new InvalidDataException($"HNSW index node {i} links to {e}, which is not on layer {layer}.");
                    }
                }
            }
        }
    }

    private static void WriteArray<T>(BinaryWriter w, T[] array)
        where T : unmanaged
    {
        w.Write((long)array.Length);
        w.Write(MemoryMarshal.AsBytes(array.AsSpan()));
    }

    private static T[] ReadArray<T>(BinaryReader r, long expected, string name)
        where T : unmanaged
    {
        var length = r.ReadInt64();
        if (length < 0 || length > Array.MaxLength || (expected >= 0 && length != expected))
        {
            throw new InvalidDataException($"HNSW index array '{name}' has length {length}, expected {(expected >= 0 ? expected : "a non-negative size")}.");
        }

        var array = new T[length];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(array.AsSpan()));
        return array;
    }
}
