using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attune.Numerics;

/// <summary>
/// Dense matrix multiply C += alpha * A * B on row-major storage with leading dimensions, for scoring many
/// users at once and for the blocked factorizations in <see cref="Cholesky"/>.
/// </summary>
/// <remarks>
/// Blocked the way BLIS/GotoBLAS are, without packing: C is cut into row chunks that the threads take
/// dynamically; inside a chunk, a kc x nc panel of B stays in L2 while a 4-row by two-vector register
/// block of C accumulates over kc (eight Vector256 accumulators, one broadcast of A and two loads of B per
/// step, so the loop is bound by FMA throughput, not loads). O(m n k) time, no allocation.
/// <see cref="Reference(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, int, int, int, float)"/>
/// is the plain triple loop the tests compare against.
/// </remarks>
public static unsafe class Gemm
{
    private const int MR = 4;
    private const int KC = 256;
    private const int NC = 512;
    private const int RowChunk = 64;

    /// <summary>C[m x n] += alpha * A[m x k] * B[k x n], all row-major with the given leading dimensions.</summary>
    public static void Multiply(
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        int m, int n, int k, float alpha = 1f, int threads = 0) =>
        MultiplyCore(a, lda, b, ldb, c, ldc, m, n, k, alpha, threads);

    /// <inheritdoc cref="Multiply(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, int, int, int, float, int)"/>
    public static void Multiply(
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, Span<double> c, int ldc,
        int m, int n, int k, double alpha = 1d, int threads = 0) =>
        MultiplyCore(a, lda, b, ldb, c, ldc, m, n, k, alpha, threads);

    /// <summary>The scalar reference: C += alpha * A * B by the definition.</summary>
    public static void Reference(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int n, int k, float alpha = 1f)
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0f;
                for (var p = 0; p < k; p++)
                {
                    s += a[(i * lda) + p] * b[(p * ldb) + j];
                }

                c[(i * ldc) + j] += alpha * s;
            }
        }
    }

    /// <summary>Writes the transpose of a row-major rows x cols matrix into a cols x rows one.</summary>
    public static void Transpose<T>(ReadOnlySpan<T> source, int rows, int cols, Span<T> destination)
    {
        if (source.Length < rows * cols || destination.Length < rows * cols)
        {
            throw new ArgumentException("Spans are smaller than rows * cols.");
        }

        const int B = 32;
        for (var i0 = 0; i0 < rows; i0 += B)
        {
            var i1 = Math.Min(rows, i0 + B);
            for (var j0 = 0; j0 < cols; j0 += B)
            {
                var j1 = Math.Min(cols, j0 + B);
                for (var i = i0; i < i1; i++)
                {
                    for (var j = j0; j < j1; j++)
                    {
                        destination[(j * rows) + i] = source[(i * cols) + j];
                    }
                }
            }
        }
    }

    internal static void MultiplyCore<T>(ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int n, int k, T alpha, int threads)
        where T : unmanaged, INumber<T>
    {
        if (m < 0 || n < 0 || k < 0 || lda < k || ldb < n || ldc < n)
        {
            throw new ArgumentException($"Bad shape: m={m} n={n} k={k} lda={lda} ldb={ldb} ldc={ldc}.");
        }

        if (m == 0 || n == 0 || k == 0)
        {
            return;
        }

        if ((long)((m - 1) * (long)lda) + k > a.Length || ((k - 1) * (long)ldb) + n > b.Length || ((m - 1) * (long)ldc) + n > c.Length)
        {
            throw new ArgumentException($"A span is too short for m={m} n={n} k={k} with the given leading dimensions.");
        }

        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            var chunks = (m + RowChunk - 1) / RowChunk;
            var work = 2.0 * m * n * k;
            if (threads == 1 || chunks == 1 || work < 4e6)
            {
                for (var ch = 0; ch < chunks; ch++)
                {
                    RowBlock(pa, lda, pb, ldb, pc, ldc, ch * RowChunk, Math.Min(m, (ch + 1) * RowChunk), n, k, alpha);
                }

                return;
            }

            var (ia, ib, ic) = ((nint)pa, (nint)pb, (nint)pc);
            Parallel.For(0, chunks, Parallelism.Options(threads), ch =>
                RowBlock((T*)ia, lda, (T*)ib, ldb, (T*)ic, ldc, ch * RowChunk, Math.Min(m, (ch + 1) * RowChunk), n, k, alpha));
        }
    }

    private static void RowBlock<T>(T* a, int lda, T* b, int ldb, T* c, int ldc, int i0, int i1, int n, int k, T alpha)
        where T : unmanaged, INumber<T>
    {
        var w = Vector256<T>.Count;
        var nr = 2 * w;
        for (var jc = 0; jc < n; jc += NC)
        {
            var jEnd = Math.Min(n, jc + NC);
            var jVec = jc + ((jEnd - jc) / nr * nr);
            for (var pc = 0; pc < k; pc += KC)
            {
                var kb = Math.Min(KC, k - pc);
                var i = i0;
                for (; i + MR <= i1; i += MR)
                {
                    var ap = a + ((long)i * lda) + pc;
                    for (var j = jc; j < jVec; j += nr)
                    {
                        Kernel4(kb, ap, lda, b + ((long)pc * ldb) + j, ldb, c + ((long)i * ldc) + j, ldc, alpha);
                    }

                    Edge(a, lda, b, ldb, c, ldc, i, i + MR, jVec, jEnd, pc, kb, alpha);
                }

                for (; i < i1; i++)
                {
                    var ap = a + ((long)i * lda) + pc;
                    for (var j = jc; j < jVec; j += nr)
                    {
                        Kernel1(kb, ap, b + ((long)pc * ldb) + j, ldb, c + ((long)i * ldc) + j, alpha);
                    }

                    Edge(a, lda, b, ldb, c, ldc, i, i + 1, jVec, jEnd, pc, kb, alpha);
                }
            }
        }
    }

    private static void Edge<T>(T* a, int lda, T* b, int ldb, T* c, int ldc, int i0, int i1, int j0, int j1, int pc, int kb, T alpha)
        where T : unmanaged, INumber<T>
    {
        for (var i = i0; i < i1; i++)
        {
            for (var j = j0; j < j1; j++)
            {
                var s = T.Zero;
                for (var p = 0; p < kb; p++)
                {
                    s += a[((long)i * lda) + pc + p] * b[((long)(pc + p) * ldb) + j];
                }

                c[((long)i * ldc) + j] += alpha * s;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4<T>(int k, T* a, int lda, T* b, int ldb, T* c, int ldc, T alpha)
        where T : unmanaged, INumber<T>
    {
        var w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;
        var a1 = a + lda;
        var a2 = a1 + lda;
        var a3 = a2 + lda;
        for (var p = 0; p < k; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            b += ldb;
            var x = Vector256.Create(a[p]);
            c00 = Fma(x, b0, c00);
            c01 = Fma(x, b1, c01);
            x = Vector256.Create(a1[p]);
            c10 = Fma(x, b0, c10);
            c11 = Fma(x, b1, c11);
            x = Vector256.Create(a2[p]);
            c20 = Fma(x, b0, c20);
            c21 = Fma(x, b1, c21);
            x = Vector256.Create(a3[p]);
            c30 = Fma(x, b0, c30);
            c31 = Fma(x, b1, c31);
        }

        var al = Vector256.Create(alpha);
        Store(c, w, al, c00, c01);
        Store(c + ldc, w, al, c10, c11);
        Store(c + (2 * ldc), w, al, c20, c21);
        Store(c + (3 * ldc), w, al, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel1<T>(int k, T* a, T* b, int ldb, T* c, T alpha)
        where T : unmanaged, INumber<T>
    {
        var w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default;
        for (var p = 0; p < k; p++)
        {
            var x = Vector256.Create(a[p]);
            c00 = Fma(x, Vector256.Load(b), c00);
            c01 = Fma(x, Vector256.Load(b + w), c01);
            b += ldb;
        }

        Store(c, w, Vector256.Create(alpha), c00, c01);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, int w, Vector256<T> alpha, Vector256<T> v0, Vector256<T> v1)
        where T : unmanaged, INumber<T>
    {
        Fma(alpha, v0, Vector256.Load(c)).Store(c);
        Fma(alpha, v1, Vector256.Load(c + w)).Store(c + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
        where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        }

        return (x * y) + acc;
    }
}

/// <summary>How many threads the numeric kernels use.</summary>
public static class Parallelism
{
    /// <summary>Options for <c>Parallel.For</c>: <paramref name="threads"/> workers, or all cores when 0 or less.</summary>
    public static ParallelOptions Options(int threads) =>
        new() { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };

    /// <summary>The effective worker count for <paramref name="threads"/>.</summary>
    public static int Count(int threads) => threads > 0 ? threads : Environment.ProcessorCount;
}
