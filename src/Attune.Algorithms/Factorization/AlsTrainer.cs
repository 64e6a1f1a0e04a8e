using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Numerics;

namespace Attune.Algorithms.Factorization;

/// <summary>Implicit-feedback alternating least squares with conjugate-gradient solves.</summary>
/// <remarks>
/// Hu, Koren, Volinsky, "Collaborative Filtering for Implicit Feedback Datasets", ICDM 2008: minimize
/// sum over all (u, i) of c_ui (p_ui - x_u . y_i)^2 + lambda (|X|^2 + |Y|^2), p_ui = 1 for observed pairs
/// and 0 otherwise, confidence c_ui = 1 + alpha w_ui. Each half-sweep fixes one side and solves a ridge
/// system per row, (Y^T Y + Y^T (C_u - I) Y + lambda I) x_u = Y^T C_u p_u, using the shared Gramian Y^T Y
/// so the cost depends on the row's observed items only. Instead of a Cholesky per row (O(f^3)), a few
/// conjugate-gradient steps warm-started from the previous sweep's solution (Takacs, Pilaszy, Tikk,
/// "Applications of the conjugate gradient method for implicit feedback collaborative filtering",
/// RecSys 2011; as in the implicit library) cost O(steps (f^2 + n_u f)) per row.
/// With RegularizationExponent nu > 0 each row's penalty is lambda (n + alpha w_u)^nu, its total confidence
/// raised to nu (Rendle, Krichene, Zhang, Koren, "Revisiting the Performance of iALS on Item Recommendation
/// Benchmarks", RecSys 2022: frequency-scaled regularization; their unobserved weight alpha0 is 1 / alpha here,
/// up to a global scale), which adds O(f) per row.
/// One sweep: O(steps (nnz f + (users + items) f^2) + items f^2) time, O((users + items) f) memory.
/// Rows are independent, so each half-sweep runs in parallel; results do not depend on thread count.
/// </remarks>
public sealed class AlsTrainer : ITrainer<AlsOptions>
{
    public IRecommender Fit(TrainingData data, AlsOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Train(data.Matrix, options, progress, cancellationToken);

    public static AlsModel Train(UserItemMatrix matrix, AlsOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var f = options.Factors;
        var users = matrix.Users;
        var items = matrix.Items;
        var itemUsers = matrix.Transpose();
        var rng = new Random(options.Seed);
        var x = new float[users * f];
        var y = new float[items * f];
        LatentFactors.RandomInit(x, options.InitScale, rng);
        LatentFactors.RandomInit(y, options.InitScale, rng);
        CheckWeights(matrix.Csr);
        var userPenalty = RowPenalties(matrix.Csr, options);
        var itemPenalty = RowPenalties(itemUsers.Csr, options);
        for (var it = 0; it < options.Iterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var yty = Gramian(y, items, f, userPenalty is null ? options.Regularization : 0f, options.Threads);
            SolveSide(matrix.Csr, x, y, yty, userPenalty, f, options, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var xtx = Gramian(x, users, f, itemPenalty is null ? options.Regularization : 0f, options.Threads);
            SolveSide(itemUsers.Csr, y, x, xtx, itemPenalty, f, options, cancellationToken);
            VectorOps.EnsureFinite(y, "ALS item factors");
            var loss = progress is null ? double.NaN : Loss(matrix.Csr, x, y, f, options);
            progress?.Report(new TrainingProgress("als", it + 1, options.Iterations, loss));
        }

        VectorOps.EnsureFinite(x, "ALS user factors");
        return new AlsModel(options.ToString(), f, options.Regularization, options.Alpha, x, y, options.RegularizationExponent);
    }

    /// <summary>F^T F + lambda I for a rows x f factor matrix, as a dense f x f row-major array.</summary>
    internal static float[] Gramian(float[] factors, int rows, int f, float lambda, int threads)
    {
        var t = new float[f * rows];
        Gemm.Transpose<float>(factors, rows, f, t);
        var g = new float[f * f];
        Gemm.Multiply(t, rows, factors, f, g, f, f, f, rows, 1f, threads);
        for (var i = 0; i < f; i++)
        {
            g[(i * f) + i] += lambda;
        }

        return g;
    }

    /// <summary>
    /// The objective over all pairs: sum_u [x_u^T (Y^T Y) x_u + sum_{i in u} (c (1 - s)^2 - s^2)] plus the L2
    /// penalty, divided by users x items so it reads as a per-cell error.
    /// </summary>
    internal static unsafe double Loss(CsrMatrix r, float[] x, float[] y, int f, AlsOptions options)
    {
        var gram = Gramian(y, r.Columns, f, 0f, options.Threads);
        var total = 0.0;
        var tmp = new float[f];
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pg = gram)
        fixed (float* pt = tmp)
        {
            for (var u = 0; u < r.Rows; u++)
            {
                var xu = px + (u * f);
                for (var i = 0; i < f; i++)
                {
                    pt[i] = SmallVector.Dot(pg + (i * f), xu, f);
                }

                total += SmallVector.Dot(pt, xu, f);
                var cols = r.RowColumns(u);
                var vals = r.RowValues(u);
                for (var k = 0; k < cols.Length; k++)
                {
                    var s = SmallVector.Dot(py + (cols[k] * f), xu, f);
                    var c = 1.0 + (options.Alpha * vals[k]);
                    total += (c * (1 - s) * (1 - s)) - (s * s);
                }
            }
        }

        var penalty = options.RegularizationExponent == 0
            ? options.Regularization * (System.Numerics.Tensors.TensorPrimitives.Dot<float>(x, x) + System.Numerics.Tensors.TensorPrimitives.Dot<float>(y, y))
            : WeightedPenalty(r, x, f, options) + WeightedPenalty(r.Transpose(), y, f, options);
        return (total + penalty) / ((double)r.Rows * r.Columns);
    }

    private static double WeightedPenalty(CsrMatrix r, float[] factors, int f, AlsOptions options)
    {
        var penalties = RowPenalties(r, options)!;
        var total = 0.0;
        for (var row = 0; row < r.Rows; row++)
        {
            var v = factors.AsSpan(row * f, f);
            total += penalties[row] * System.Numerics.Tensors.TensorPrimitives.Dot<float>(v, v);
        }

        return total;
    }

    /// <summary>Per-row penalties lambda (columns + alpha * row weight)^nu, or null for the plain shared penalty.</summary>
    internal static float[]? RowPenalties(CsrMatrix r, AlsOptions options)
    {
        if (options.RegularizationExponent == 0)
        {
            return null;
        }

        var penalties = new float[r.Rows];
        for (var row = 0; row < r.Rows; row++)
        {
            var confidence = r.Columns + (options.Alpha * (double)System.Numerics.Tensors.TensorPrimitives.Sum(r.RowValues(row)));
            penalties[row] = (float)(options.Regularization * Math.Pow(confidence, options.RegularizationExponent));
        }

        return penalties;
    }

    private static void CheckWeights(CsrMatrix r)
    {
        var values = r.Values;
        for (var k = 0; k < values.Length; k++)
        {
            if (!(values[k] >= 0) || !float.IsFinite(values[k]))
            {
                throw new ArgumentException($"ALS needs finite, non-negative weights; interaction {k} has weight {values[k]}.");
            }
        }
    }

    private static unsafe void SolveSide(CsrMatrix r, float[] target, float[] fixedSide, float[] gram, float[]? penalties, int f, AlsOptions options, CancellationToken cancellationToken)
    {
        const int Chunk = 64;
        var rows = r.Rows;
        var chunks = (rows + Chunk - 1) / Chunk;
        var po = Parallelism.Options(options.Threads);
        po.CancellationToken = cancellationToken;
        Parallel.For(0, chunks, po, () => new float[4 * f], (ch, _, scratch) =>
        {
            fixed (float* pt = target)
            fixed (float* pf = fixedSide)
            fixed (float* pg = gram)
            fixed (float* ps = scratch)
            {
                var end = Math.Min(rows, (ch + 1) * Chunk);
                for (var u = ch * Chunk; u < end; u++)
                {
                    SolveRow(r, u, pt + ((long)u * f), pf, pg, penalties is null ? 0f : penalties[u], f, options.Alpha, options.CgSteps, ps);
                }
            }

            return scratch;
        }, _ => { });
    }

    /// <summary>Rows of the fixed side are visited in item order, i.e. at random addresses: fetch a few ahead.</summary>
    private const int PrefetchDistance = 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRow(float* side, ReadOnlySpan<int> cols, int k, int f)
    {
        if (Sse.IsSupported && k < cols.Length)
        {
            var row = side + ((long)cols[k] * f);
            for (var o = 0; o < f; o += 16)
            {
                Sse.Prefetch0(row + o);
            }
        }
    }

    /// <summary>
    /// Implicit's conjugate-gradient row update, with the operator applied without forming it; penalty is the
    /// row's own ridge term, added to the shared Gramian's diagonal (0 when the Gramian carries it).
    /// </summary>
    private static unsafe void SolveRow(CsrMatrix r, int row, float* x, float* fixedSide, float* gram, float penalty, int f, float alpha, int steps, float* scratch)
    {
        var res = scratch;
        var p = scratch + f;
        var ap = scratch + (2 * f);
        var cols = r.RowColumns(row);
        var vals = r.RowValues(row);

        // res = Y^T C p - (Y^T C Y + lambda) x, with Y^T C Y = gram + sum (c - 1) y y^T.
        for (var i = 0; i < f; i++)
        {
            res[i] = -SmallVector.Dot(gram + (i * f), x, f) - (penalty * x[i]);
        }

        for (var k = 0; k < cols.Length; k++)
        {
            PrefetchRow(fixedSide, cols, k + PrefetchDistance, f);
            var c = 1f + (alpha * vals[k]);
            SmallVector.DotAxpy(fixedSide + ((long)cols[k] * f), x, c, 1f - c, res, f);
        }

        var rsOld = SmallVector.Dot(res, res, f);
        if (float.IsNaN(rsOld))
        {
            throw new MatrixNotPositiveDefiniteException($"ALS residual became NaN at row {row}.");
        }

        if (rsOld < 1e-20f)
        {
            return;
        }

        new ReadOnlySpan<float>(res, f).CopyTo(new Span<float>(p, f));
        for (var step = 0; step < steps; step++)
        {
            for (var i = 0; i < f; i++)
            {
                ap[i] = SmallVector.Dot(gram + (i * f), p, f) + (penalty * p[i]);
            }

            for (var k = 0; k < cols.Length; k++)
            {
                PrefetchRow(fixedSide, cols, k + PrefetchDistance, f);
                SmallVector.DotAxpy(fixedSide + ((long)cols[k] * f), p, 0f, alpha * vals[k], ap, f);
            }

            var curvature = SmallVector.Dot(p, ap, f);
            if (!(curvature > 0))
            {
                // p^T A p <= 0 is impossible for the SPD system unless the search direction vanished.
                return;
            }

            var a = rsOld / curvature;
            SmallVector.Axpy(a, p, x, f);
            SmallVector.Axpy(-a, ap, res, f);
            var rsNew = SmallVector.Dot(res, res, f);
            if (rsNew < 1e-20f)
            {
                return;
            }

            SmallVector.Axpby(1f, res, rsNew / rsOld, p, f);
            rsOld = rsNew;
        }
    }
}

/// <summary>Registers ALS with <see cref="AlgorithmRegistry"/>.</summary>
public sealed class AlsAlgorithm : Algorithm<AlsOptions>
{
    public override string Name => AlsModel.Name;

    public override string Description => "Implicit-feedback matrix factorization by alternating least squares (Hu, Koren, Volinsky 2008) with conjugate-gradient solves.";

    protected override IRecommender Fit(TrainingData data, AlsOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        AlsTrainer.Train(data.Matrix, options, progress, cancellationToken);
}
