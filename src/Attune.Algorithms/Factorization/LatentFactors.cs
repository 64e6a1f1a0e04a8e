using System.Buffers;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Numerics;

namespace Attune.Algorithms.Factorization;

/// <summary>A model whose score for (user, item) is user vector . item vector (+ item bias).</summary>
public interface ILatentFactorModel
{
    int Factors { get; }

    /// <summary>Users x factors, row-major.</summary>
    ReadOnlyMemory<float> UserFactors { get; }

    /// <summary>Items x factors, row-major.</summary>
    ReadOnlyMemory<float> ItemFactors { get; }

    /// <summary>One bias per item, or empty when the model has none.</summary>
    ReadOnlyMemory<float> ItemBias { get; }
}

/// <summary>
/// Shared pieces of latent-factor models: scoring one user, top-n for every user with a blocked GEMM,
/// cosine neighbours on item vectors, and payload reading and writing.
/// </summary>
public static class LatentFactors
{
    private const int UserBlock = 128;

    /// <summary>scores = ItemFactors . userVector (+ bias).</summary>
    public static void Score(ReadOnlySpan<float> itemFactors, ReadOnlySpan<float> itemBias, int factors, ReadOnlySpan<float> userVector, Span<float> scores)
    {
        VectorOps.MatVec(itemFactors, scores.Length, userVector[..factors], scores);
        if (!itemBias.IsEmpty)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(scores, itemBias, scores);
        }
    }

    /// <summary>
    /// Top <paramref name="n"/> items for every user, best first, never an item of that user's row in
    /// <paramref name="exclude"/>. Users are scored 128 at a time with <see cref="Gemm"/> against the
    /// transposed item factors, so the work is one dense multiply plus a heap per user.
    /// </summary>
    public static int[][] RecommendAll(ILatentFactorModel model, int n, UserItemMatrix? exclude = null, int threads = 0)
    {
        var f = model.Factors;
        var users = model.UserFactors.Length / Math.Max(1, f);
        var items = model.ItemFactors.Length / Math.Max(1, f);
        var itemsT = new float[f * items];
        Gemm.Transpose(model.ItemFactors.Span, items, f, itemsT);
        var bias = model.ItemBias;
        var result = new int[users][];
        var blocks = (users + UserBlock - 1) / UserBlock;
        Parallel.For(0, blocks, Parallelism.Options(threads), () => ArrayPool<float>.Shared.Rent(UserBlock * items), (b, _, scores) =>
        {
            var u0 = b * UserBlock;
            var count = Math.Min(UserBlock, users - u0);
            var block = scores.AsSpan(0, count * items);
            if (bias.IsEmpty)
            {
                block.Clear();
            }
            else
            {
                for (var r = 0; r < count; r++)
                {
                    bias.Span.CopyTo(block.Slice(r * items, items));
                }
            }

            Gemm.Multiply(model.UserFactors.Span.Slice(u0 * f, count * f), f, itemsT, items, block, items, count, items, f, 1f, threads: 1);
            Span<int> idx = stackalloc int[Math.Min(n, 1024)];
            Span<float> val = stackalloc float[idx.Length];
            for (var r = 0; r < count; r++)
            {
                var row = block.Slice(r * items, items);
                if (exclude is not null && u0 + r < exclude.Users)
                {
                    foreach (var i in exclude.ItemsOf(u0 + r))
                    {
                        row[i] = float.NegativeInfinity;
                    }
                }

                var k = TopK.Select(row, idx.Length, idx, val);
                result[u0 + r] = idx[..k].ToArray();
            }

            return scores;
        }, scores => ArrayPool<float>.Shared.Return(scores));
        return result;
    }

    /// <summary>The <paramref name="n"/> items with the most similar vectors by cosine, never the item itself.</summary>
    public static IReadOnlyList<ScoredItem> SimilarByCosine(ReadOnlySpan<float> normalizedItemFactors, int factors, int item, int n)
    {
        var items = normalizedItemFactors.Length / factors;
        if ((uint)item >= (uint)items)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index must be in [0, {items}).");
        }

        var scores = ArrayPool<float>.Shared.Rent(items);
        try
        {
            var span = scores.AsSpan(0, items);
            VectorOps.MatVec(normalizedItemFactors, items, normalizedItemFactors.Slice(item * factors, factors), span);
            return RecommenderExtensions.TopOf(span, n, [item]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>A copy of <paramref name="factors"/> with every row scaled to unit length (zero rows stay zero).</summary>
    public static float[] NormalizeRows(ReadOnlySpan<float> factors, int width)
    {
        var result = factors.ToArray();
        for (var r = 0; r < result.Length / width; r++)
        {
            var row = result.AsSpan(r * width, width);
            var norm = VectorOps.Norm(row);
            if (norm > 0)
            {
                VectorOps.Scale(1f / norm, row);
            }
        }

        return result;
    }

    public static void WriteArray(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        writer.Write(values.Length);
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    public static float[] ReadArray(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length < 0)
        {
            throw new InvalidDataException($"Negative array length {length} in model payload.");
        }

        var values = new float[length];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        if (reader.Read(bytes) != bytes.Length)
        {
            throw new InvalidDataException("Model payload ended inside an array.");
        }

        return values;
    }

    public static void WriteInts(BinaryWriter writer, ReadOnlySpan<int> values)
    {
        writer.Write(values.Length);
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    public static int[] ReadInts(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length < 0)
        {
            throw new InvalidDataException($"Negative array length {length} in model payload.");
        }

        var values = new int[length];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        if (reader.Read(bytes) != bytes.Length)
        {
            throw new InvalidDataException("Model payload ended inside an array.");
        }

        return values;
    }

    /// <summary>Fills <paramref name="values"/> uniformly in [-scale/2, scale/2).</summary>
    public static void RandomInit(Span<float> values, float scale, Random rng)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(rng.NextDouble() - 0.5) * scale;
        }
    }
}
