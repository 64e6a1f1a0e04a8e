using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Serialization;
using Attune.Numerics;

namespace Attune.Algorithms.Linear;

/// <summary>A trained graph-filter recommender: a dense item x item filter applied to the user's history.</summary>
public sealed class GraphFilterModel : DenseItemItemModel
{
    public const string Name = "gf-cf";

    internal GraphFilterModel(string options, int items, float[] weights, UserItemMatrix history)
        : base(options, items, weights, history)
    {
    }

    public override string Algorithm => Name;

    internal static GraphFilterModel ReadPayload(BinaryReader reader)
    {
        var (options, items, weights, history) = ReadParts(reader, "GF-CF");
        return new GraphFilterModel(options, items, weights, history);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Model readers must be registered before any model file is read, whichever type was touched first.")]
    internal static void RegisterReader() => ModelFile.Register(Name, ReadPayload);
}

/// <summary>Graph filter based collaborative filtering (GF-CF).</summary>
/// <remarks>
/// Shen et al., "How Powerful is Graph Convolution for Recommendation?", CIKM 2021. With the normalized
/// rating matrix R~ = D_u^-1/2 R D_i^-1/2 (D_u, D_i the user and item degrees), a user's scores are
/// r_u (R~^T R~ + alpha D_i^-1/2 V_k^T V_k D_i^1/2): a linear low-pass filter on the item-item graph plus an
/// ideal low-pass filter, the projection on the top-k right singular vectors V_k of R~. The item exponent
/// 1/2 may be changed to e (D_i^-e on the right of R, D_i^-e ... D_i^e around the projection), as later
/// graph-filter work (e.g. Turbo-CF, Park et al. 2024) does to trade accuracy against popularity bias. Both are folded
/// into one dense item x item matrix, so scoring costs what EASE's does. V_k is found by subspace iteration
/// on R~^T R~ (each sweep a k x n by n x n product, then modified Gram-Schmidt), with no SVD library.
/// Fit: O(sum over users of n_u^2 / 2) for the Gram matrix, O(iterations (2 k n^2 + 2 k^2 n)) for the
/// subspace and 2 k n^2 for the filter; memory n^2 + 2 k n floats. Scoring a user is O(n_u n).
/// </remarks>
public sealed class GraphFilterTrainer : ITrainer<GraphFilterOptions>
{
    public IRecommender Fit(TrainingData data, GraphFilterOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Train(data.Matrix, options, progress, cancellationToken);

    public static GraphFilterModel Train(UserItemMatrix matrix, GraphFilterOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!(options.Alpha >= 0) || !float.IsFinite(options.Alpha))
        {
            throw new ArgumentException($"GF-CF option alpha={options.Alpha} must be zero or positive and finite.", nameof(options));
        }

        if (!(options.Exponent >= 0 && options.Exponent <= 1))
        {
            throw new ArgumentException($"GF-CF option exponent={options.Exponent} must be in [0, 1].", nameof(options));
        }

        if (options.Factors < 0 || options.Iterations < 1)
        {
            throw new ArgumentException($"GF-CF options factors={options.Factors} must be >= 0 and iterations={options.Iterations} >= 1.", nameof(options));
        }

        var n = matrix.Items;
        var k = Math.Min(options.Factors, Math.Min(n, matrix.Users));
        var needed = ((long)n * n * sizeof(float)) + (2L * k * n * sizeof(float));
        if (needed > options.MemoryBudgetBytes)
        {
            throw new InsufficientMemoryException(
                $"GF-CF needs about {needed / (1 << 20):N0} MiB for {n:N0} items, over the memory budget of {options.MemoryBudgetBytes / (1 << 20):N0} MiB. " +
                "Use ALS or item-kNN for a catalog this large, or raise memory-budget-bytes.");
        }

        var (invItem, item) = ItemDegrees(matrix, options.Exponent);
        var filter = NormalizedGram(matrix, invItem, options.Threads, cancellationToken);
        progress?.Report(new TrainingProgress("gram", 1, 3));
        if (k > 0 && options.Alpha > 0)
        {
            var basis = TopSubspace(filter, n, k, options.Iterations, options.Seed, options.Threads, cancellationToken);
            progress?.Report(new TrainingProgress("subspace", 2, 3));
            AddProjection(filter, basis, n, k, options.Alpha, invItem, item, options.Threads);
        }

        VectorOps.EnsureFinite(filter, "GF-CF filter");
        progress?.Report(new TrainingProgress("filter", 3, 3));
        return new GraphFilterModel(options.ToString(), n, filter, matrix);
    }

    /// <summary>d_i^-e and d_i^e per item.</summary>
    private static (float[] Inverse, float[] Power) ItemDegrees(UserItemMatrix matrix, float exponent)
    {
        var degree = new float[matrix.Items];
        var csr = matrix.Csr;
        for (var p = 0; p < csr.NonZeros; p++)
        {
            degree[csr.ColumnIndex[p]] += csr.Values[p];
        }

        var inv = new float[degree.Length];
        var power = new float[degree.Length];
        for (var i = 0; i < degree.Length; i++)
        {
            // An item nobody interacted with has no edges: both of its scalings are zero.
            if (degree[i] > 0)
            {
                power[i] = MathF.Pow(degree[i], exponent);
                inv[i] = 1f / power[i];
            }
        }

        return (inv, power);
    }

    /// <summary>The full symmetric R~^T R~ = D_i^-e R^T D_u^-1 R D_i^-e, row-major.</summary>
    internal static float[] NormalizedGram(UserItemMatrix matrix, float[] invItem, int threads, CancellationToken cancellationToken)
    {
        var csr = matrix.Csr;
        var values = new float[csr.NonZeros];
        for (var u = 0; u < matrix.Users; u++)
        {
            var s = csr.RowStart[u];
            var e = csr.RowStart[u + 1];
            var degree = 0f;
            for (var p = s; p < e; p++)
            {
                degree += csr.Values[p];
            }

            var scale = degree > 0 ? 1f / MathF.Sqrt(degree) : 0f;
            for (var p = s; p < e; p++)
            {
                values[p] = csr.Values[p] * scale;
            }
        }

        var scaled = new UserItemMatrix(new CsrMatrix(matrix.Users, matrix.Items, csr.RowStart, csr.ColumnIndex, values));
        var g = EaseTrainer.Gram(scaled, 0f, threads, cancellationToken);
        var n = matrix.Items;
        Parallel.For(0, n, Parallelism.Options(threads), i =>
        {
            var row = g.AsSpan(i * n, n);
            for (var j = 0; j <= i; j++)
            {
                row[j] *= invItem[i] * invItem[j];
            }
        });
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                g[((long)j * n) + i] = g[((long)i * n) + j];
            }
        }

        return g;
    }

    /// <summary>
    /// An orthonormal basis (k rows of length n) of the dominant k-dimensional invariant subspace of the
    /// symmetric positive semi-definite <paramref name="a"/>, by subspace iteration from a seeded random start.
    /// </summary>
    internal static float[] TopSubspace(float[] a, int n, int k, int iterations, int seed, int threads, CancellationToken cancellationToken)
    {
        var rng = new Random(seed);
        var v = new float[k * n];
        for (var p = 0; p < v.Length; p++)
        {
            v[p] = (float)(rng.NextDouble() - 0.5);
        }

        Orthonormalize(v, n, k);
        var z = new float[k * n];
        for (var t = 0; t < iterations; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(z);
            Gemm.Multiply(v, n, a, n, z, n, k, n, n, 1f, threads);
            (v, z) = (z, v);
            Orthonormalize(v, n, k);
        }

        return v;
    }

    /// <summary>
    /// Modified Gram-Schmidt on the k rows, twice ("twice is enough", Giraud et al. 2005) for float accuracy.
    /// A row that vanishes (the matrix has rank below k) is set to zero and adds nothing to the projection.
    /// </summary>
    internal static void Orthonormalize(float[] v, int n, int k)
    {
        for (var r = 0; r < k; r++)
        {
            var row = v.AsSpan(r * n, n);
            var before = TensorPrimitives.Norm(row);
            for (var pass = 0; pass < 2; pass++)
            {
                for (var q = 0; q < r; q++)
                {
                    var basis = v.AsSpan(q * n, n);
                    TensorPrimitives.MultiplyAdd(basis, -TensorPrimitives.Dot(row, basis), row, row);
                }
            }

            var norm = TensorPrimitives.Norm(row);
            if (norm > 1e-4f * before && norm > 0)
            {
                TensorPrimitives.Multiply(row, 1f / norm, row);
            }
            else
            {
                row.Clear();
            }
        }
    }

    /// <summary>W += alpha D^-e V^T V D^e, through one n x k by k x n product of the scaled basis.</summary>
    private static void AddProjection(float[] w, float[] v, int n, int k, float alpha, float[] invItem, float[] item, int threads)
    {
        var left = new float[n * k];
        Gemm.Transpose<float>(v, k, n, left);
        for (var i = 0; i < n; i++)
        {
            TensorPrimitives.Multiply(left.AsSpan(i * k, k), invItem[i], left.AsSpan(i * k, k));
        }

        for (var r = 0; r < k; r++)
        {
            TensorPrimitives.Multiply(v.AsSpan(r * n, n), item, v.AsSpan(r * n, n));
        }

        Gemm.Multiply(left, k, v, n, w, n, n, n, k, alpha, threads);
    }
}

/// <summary>Registers GF-CF with <see cref="AlgorithmRegistry"/>.</summary>
public sealed class GraphFilterAlgorithm : Algorithm<GraphFilterOptions>
{
    public override string Name => GraphFilterModel.Name;

    public override string Description => "GF-CF: normalized item-item graph filter plus an ideal low-pass filter on the top singular vectors (Shen et al. 2021); no training loop, memory grows with items squared.";

    protected override IRecommender Fit(TrainingData data, GraphFilterOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        GraphFilterTrainer.Train(data.Matrix, options, progress, cancellationToken);
}
