using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Attune.Numerics;

/// <summary>The matrix handed to a factorization is not symmetric positive definite (or holds NaN).</summary>
public sealed class MatrixNotPositiveDefiniteException(string message) : ArithmeticException(message);

/// <summary>
/// Cholesky factorization A = L L^T of a dense symmetric positive definite matrix, in place, with
/// solves and the SPD inverse built on it. Row-major n x n storage; only the lower triangle of the input
/// is read. Float and double.
/// </summary>
/// <remarks>
/// Right-looking blocked algorithm (Golub and Van Loan, Matrix Computations, alg. 4.2.2 blocked): factor a
/// 128-wide diagonal block, solve the panel below it (TRSM), and update the trailing matrix with one
/// <see cref="Gemm"/> call per row block, so almost all of the n^3/3 flops run in the GEMM kernel on all
/// threads. The inverse adds the blocked triangular inverse W = L^-1 (n^3/3, column panels in parallel)
/// and A^-1 = W^T W (n^3/3, lower blocks in parallel): n^3 flops in all, O(n^2) extra memory for W and W^T.
/// A non-positive or NaN pivot throws <see cref="MatrixNotPositiveDefiniteException"/> naming the row.
/// </remarks>
public static unsafe class Cholesky
{
    private const int NB = 128;

    /// <summary>Overwrites the lower triangle of <paramref name="a"/> with L (the strict upper triangle is zeroed).</summary>
    public static void Factor(Span<float> a, int n, int threads = 0) => FactorCore(a, n, threads);

    /// <inheritdoc cref="Factor(Span{float}, int, int)"/>
    public static void Factor(Span<double> a, int n, int threads = 0) => FactorCore(a, n, threads);

    /// <summary>Solves L L^T x = b in place in <paramref name="b"/>, given the factor from <see cref="Factor(Span{float}, int, int)"/>.</summary>
    public static void Solve(ReadOnlySpan<float> l, int n, Span<float> b) => SolveCore(l, n, b);

    /// <inheritdoc cref="Solve(ReadOnlySpan{float}, int, Span{float})"/>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b) => SolveCore(l, n, b);

    /// <summary>Replaces the SPD matrix <paramref name="a"/> with its inverse (full symmetric storage).</summary>
    public static void InvertSpd(Span<float> a, int n, int threads = 0) => InvertSpdCore(a, n, threads);

    /// <inheritdoc cref="InvertSpd(Span{float}, int, int)"/>
    public static void InvertSpd(Span<double> a, int n, int threads = 0) => InvertSpdCore(a, n, threads);

    /// <summary>
    /// Writes W = L^-1 (lower triangular) for a lower-triangular <paramref name="l"/> into <paramref name="w"/>.
    /// </summary>
    public static void InvertLower(ReadOnlySpan<float> l, int n, Span<float> w, int threads = 0) => InvertLowerCore(l, n, w, threads);

    /// <inheritdoc cref="InvertLower(ReadOnlySpan{float}, int, Span{float}, int)"/>
    public static void InvertLower(ReadOnlySpan<double> l, int n, Span<double> w, int threads = 0) => InvertLowerCore(l, n, w, threads);

    private static void CheckShape<T>(ReadOnlySpan<T> a, int n)
    {
        if (n < 0 || a.Length < (long)n * n)
        {
            throw new ArgumentException($"Expected an {n} x {n} matrix ({(long)n * n} values), got {a.Length}.");
        }
    }

    private static void FactorCore<T>(Span<T> a, int n, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape<T>(a, n);
        for (var i = 0; i < n; i++)
        {
            var row = a.Slice(i * n, i + 1);
            if (!T.IsFinite(TensorPrimitives.Sum<T>(row) * T.Zero))
            {
                for (var j = 0; j <= i; j++)
                {
                    if (!T.IsFinite(row[j]))
                    {
                        throw new MatrixNotPositiveDefiniteException($"Matrix has a non-finite value {row[j]} at ({i}, {j}); it cannot be factored.");
                    }
                }
            }
        }

        var panelT = ArrayPool<T>.Shared.Rent(Math.Max(1, NB * n));
        try
        {
            fixed (T* pa = a)
            fixed (T* pt = panelT)
            {
                var (ia, it) = ((nint)pa, (nint)pt);
                for (var j0 = 0; j0 < n; j0 += NB)
                {
                    var jb = Math.Min(NB, n - j0);
                    FactorDiagonalBlock(pa, n, j0, jb);
                    var below = n - j0 - jb;
                    if (below == 0)
                    {
                        break;
                    }

                    // Panel solve: L21 = A21 L11^-T, one independent forward substitution per row.
                    var rowsPerTask = 32;
                    var tasks = (below + rowsPerTask - 1) / rowsPerTask;
                    Parallel.For(0, tasks, Parallelism.Options(threads), t =>
                    {
                        var p = (T*)ia;
                        var r1 = j0 + jb + Math.Min(below, (t + 1) * rowsPerTask);
                        for (var i = j0 + jb + (t * rowsPerTask); i < r1; i++)
                        {
                            var ri = new Span<T>(p + ((long)i * n) + j0, jb);
                            for (var j = 0; j < jb; j++)
                            {
                                var rj = new ReadOnlySpan<T>(p + ((long)(j0 + j) * n) + j0, j + 1);
                                ri[j] = (ri[j] - TensorPrimitives.Dot<T>(ri[..j], rj[..j])) / rj[j];
                            }
                        }
                    });

                    // Trailing update A22 -= L21 L21^T on the lower triangle: transpose the panel once so the
                    // update is a plain row-major GEMM, then give each thread whole row blocks.
                    TransposePanel(pa + ((long)(j0 + jb) * n) + j0, n, below, jb, pt);
                    var s = j0 + jb;
                    var blocks = (below + 63) / 64;
                    Parallel.For(0, blocks, Parallelism.Options(threads), bi =>
                    {
                        var p = (T*)ia;
                        var r0 = s + (bi * 64);
                        var rows = Math.Min(64, n - r0);
                        var cols = r0 + rows - s;
                        var len = ((long)(rows - 1) * n) + cols;
                        Gemm.MultiplyCore(
                            new ReadOnlySpan<T>(p + ((long)r0 * n) + j0, (int)(((long)(rows - 1) * n) + jb)), n,
                            new ReadOnlySpan<T>((T*)it, jb * below), below,
                            new Span<T>(p + ((long)r0 * n) + s, (int)len), n,
                            rows, cols, jb, -T.One, 1);
                    });
                }
            }

            for (var i = 0; i < n; i++)
            {
                a.Slice((i * n) + i + 1, n - i - 1).Clear();
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(panelT);
        }
    }

    private static void FactorDiagonalBlock<T>(T* a, int n, int j0, int jb)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var j = 0; j < jb; j++)
        {
            var rj = new Span<T>(a + ((long)(j0 + j) * n) + j0, j + 1);
            var d = rj[j] - TensorPrimitives.Dot<T>(rj[..j], rj[..j]);
            if (!(d > T.Zero))
            {
                throw new MatrixNotPositiveDefiniteException(
                    $"Matrix is not positive definite: pivot {j0 + j} is {d} (add regularization, or check the input for duplicates or NaN).");
            }

            var ljj = T.Sqrt(d);
            rj[j] = ljj;
            for (var i = j + 1; i < jb; i++)
            {
                var ri = new Span<T>(a + ((long)(j0 + i) * n) + j0, j + 1);
                ri[j] = (ri[j] - TensorPrimitives.Dot<T>(ri[..j], rj[..j])) / ljj;
            }
        }
    }

    private static void SolveCore<T>(ReadOnlySpan<T> l, int n, Span<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape(l, n);
        if (b.Length != n)
        {
            throw new ArgumentException($"Right-hand side has {b.Length} values, expected {n}.", nameof(b));
        }

        for (var i = 0; i < n; i++)
        {
            b[i] = (b[i] - TensorPrimitives.Dot(l.Slice(i * n, i), b[..i])) / l[(i * n) + i];
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var xi = b[i] / l[(i * n) + i];
            b[i] = xi;
            var head = b[..i];
            TensorPrimitives.MultiplyAdd(l.Slice(i * n, i), -xi, head, head);
        }
    }

    private static void InvertLowerCore<T>(ReadOnlySpan<T> l, int n, Span<T> w, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape(l, n);
        CheckShape<T>(w, n);
        w[..(n * n)].Clear();
        var panels = (n + NB - 1) / NB;
        fixed (T* pl = l)
        fixed (T* pw = w)
        {
            var (il, iw) = ((nint)pl, (nint)pw);

            // Column panels of W solve L W[:, J] = I[:, J] independently of each other.
            Parallel.For(0, panels, Parallelism.Options(threads), jp =>
            {
                var lp = (T*)il;
                var wp = (T*)iw;
                var j0 = jp * NB;
                var jb = Math.Min(NB, n - j0);
                for (var i0 = j0; i0 < n; i0 += NB)
                {
                    var ib = Math.Min(NB, n - i0);
                    var wBlock = wp + ((long)i0 * n) + j0;
                    if (i0 == j0)
                    {
                        for (var d = 0; d < jb; d++)
                        {
                            wBlock[((long)d * n) + d] = T.One;
                        }
                    }
                    else
                    {
                        // W[I, J] = -L[I, j0:i0] W[j0:i0, J]; the rows of W above j0 are zero in this panel.
                        Gemm.MultiplyCore(
                            new ReadOnlySpan<T>(lp + ((long)i0 * n) + j0, ((ib - 1) * n) + (i0 - j0)), n,
                            new ReadOnlySpan<T>(wp + ((long)j0 * n) + j0, ((i0 - j0 - 1) * n) + jb), n,
                            new Span<T>(wBlock, ((ib - 1) * n) + jb), n,
                            ib, jb, i0 - j0, -T.One, 1);
                    }

                    // Then W[I, J] = L[I, I]^-1 W[I, J] by forward substitution over the block's rows.
                    for (var r = 0; r < ib; r++)
                    {
                        var wr = new Span<T>(wBlock + ((long)r * n), jb);
                        var lr = lp + ((long)(i0 + r) * n) + i0;
                        for (var q = 0; q < r; q++)
                        {
                            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(wBlock + ((long)q * n), jb), -lr[q], wr, wr);
                        }

                        TensorPrimitives.Divide(wr, lr[r], wr);
                    }
                }
            });
        }
    }

    private static void InvertSpdCore<T>(Span<T> a, int n, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape<T>(a, n);
        FactorCore(a, n, threads);
        var w = new T[(long)n * n];
        InvertLowerCore<T>(a, n, w, threads);
        var v = new T[(long)n * n];
        Gemm.Transpose<T>(w, n, n, v);

        // A^-1 = W^T W = V W with V = W^T upper triangular: block (I, J), I >= J, only needs k >= i0.
        var blocks = (n + NB - 1) / NB;
        var pairs = blocks * (blocks + 1) / 2;
        fixed (T* pa = a)
        fixed (T* pw = w)
        fixed (T* pv = v)
        {
            var (ia, iw, iv) = ((nint)pa, (nint)pw, (nint)pv);
            a[..(n * n)].Clear();
            Parallel.For(0, pairs, Parallelism.Options(threads), pair =>
            {
                var bi = (int)((Math.Sqrt((8.0 * pair) + 1) - 1) / 2);
                while (bi * (bi + 1) / 2 > pair)
                {
                    bi--;
                }

                while ((bi + 1) * (bi + 2) / 2 <= pair)
                {
                    bi++;
                }

                var bj = pair - (bi * (bi + 1) / 2);
                var i0 = bi * NB;
                var j0 = bj * NB;
                var ib = Math.Min(NB, n - i0);
                var jb = Math.Min(NB, n - j0);
                var k = n - i0;
                Gemm.MultiplyCore(
                    new ReadOnlySpan<T>((T*)iv + ((long)i0 * n) + i0, ((ib - 1) * n) + k), n,
                    new ReadOnlySpan<T>((T*)iw + ((long)i0 * n) + j0, ((k - 1) * n) + jb), n,
                    new Span<T>((T*)ia + ((long)i0 * n) + j0, ((ib - 1) * n) + jb), n,
                    ib, jb, k, T.One, 1);
            });
        }

        MirrorLowerToUpper(a, n);
    }

    private static void TransposePanel<T>(T* source, int ld, int rows, int cols, T* destination)
        where T : unmanaged
    {
        for (var i0 = 0; i0 < rows; i0 += 32)
        {
            var i1 = Math.Min(rows, i0 + 32);
            for (var j = 0; j < cols; j++)
            {
                for (var i = i0; i < i1; i++)
                {
                    destination[((long)j * rows) + i] = source[((long)i * ld) + j];
                }
            }
        }
    }

    private static void MirrorLowerToUpper<T>(Span<T> a, int n)
    {
        const int B = 32;
        for (var i0 = 0; i0 < n; i0 += B)
        {
            for (var j0 = i0; j0 < n; j0 += B)
            {
                var i1 = Math.Min(n, i0 + B);
                var j1 = Math.Min(n, j0 + B);
                for (var i = i0; i < i1; i++)
                {
                    for (var j = Math.Max(j0, i + 1); j < j1; j++)
                    {
                        a[(i * n) + j] = a[(j * n) + i];
                    }
                }
            }
        }
    }
}
