using System.Runtime.InteropServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;

namespace Attune.Algorithms.Serialization;

/// <summary>Length-prefixed arrays and sparse matrices in model payloads (little-endian, as written).</summary>
public static class PayloadIO
{
    public static void WriteArray<T>(this BinaryWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    public static void WriteArray<T>(this BinaryWriter writer, T[] values)
        where T : unmanaged => writer.WriteArray((ReadOnlySpan<T>)values);

    public static T[] ReadArray<T>(this BinaryReader reader)
        where T : unmanaged
    {
        var n = reader.ReadInt32();
        var size = Marshal.SizeOf<T>();
        var remaining = reader.BaseStream.CanSeek ? reader.BaseStream.Length - reader.BaseStream.Position : long.MaxValue;
        if (n < 0 || (long)n * size > remaining)
        {
            throw new InvalidDataException($"Model payload holds an array of {n} {typeof(T).Name} values, more than the {remaining} bytes left.");
        }

        var result = new T[n];
        var bytes = MemoryMarshal.AsBytes(result.AsSpan());
        var read = 0;
        while (read < bytes.Length)
        {
            var got = reader.Read(bytes[read..]);
            if (got == 0)
            {
                throw new InvalidDataException("Model payload ends inside an array.");
            }

            read += got;
        }

        return result;
    }

    public static void WriteCsr(this BinaryWriter writer, CsrMatrix matrix)
    {
        writer.Write(matrix.Rows);
        writer.Write(matrix.Columns);
        writer.WriteArray(matrix.RowStart);
        writer.WriteArray(matrix.ColumnIndex);
        writer.WriteArray(matrix.Values);
    }

    public static CsrMatrix ReadCsr(this BinaryReader reader)
    {
        var rows = reader.ReadInt32();
        var columns = reader.ReadInt32();
        var start = reader.ReadArray<int>();
        var index = reader.ReadArray<int>();
        var values = reader.ReadArray<float>();
        try
        {
            return new CsrMatrix(rows, columns, start, index, values);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Model payload holds an inconsistent sparse matrix: {e.Message}", e);
        }
    }

    public static void WriteStrings(this BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write(values.Count);
        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    public static string[] ReadStrings(this BinaryReader reader)
    {
        var n = reader.ReadInt32();
        if (n < 0)
        {
            throw new InvalidDataException($"Model payload holds a string list of length {n}.");
        }

        var result = new string[n];
        for (var k = 0; k < n; k++)
        {
            result[k] = reader.ReadString();
        }

        return result;
    }

    /// <summary>Writes a whole model file (with its own header and checksum) inside a payload, for composite models.</summary>
    public static void WriteModel(this BinaryWriter writer, IRecommender model)
    {
        using var ms = new MemoryStream();
        ModelFile.Write(ms, model);
        writer.Write(ms.Length);
        writer.Write(ms.GetBuffer(), 0, (int)ms.Length);
    }

    public static IRecommender ReadModel(this BinaryReader reader)
    {
        var length = reader.ReadInt64();
        if (length < 0 || length > int.MaxValue)
        {
            throw new InvalidDataException($"Nested model length {length} is out of range.");
        }

        var bytes = reader.ReadBytes((int)length);
        if (bytes.Length != length)
        {
            throw new InvalidDataException("Model payload ends inside a nested model.");
        }

        return ModelFile.Read(new MemoryStream(bytes));
    }
}
