using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Serialization;
using Attune.Numerics;

namespace Attune.Algorithms.Linear;

/// <summary>A trained EASE model: a dense item x item weight matrix with a zero diagonal.</summary>
public sealed class EaseModel : DenseItemItemModel
{
    public const string Name = "ease";

    internal EaseModel(string options, int items, float[] weights, UserItemMatrix history)
        : base(options, items, weights, history)
    {
    }

    public override string Algorithm => Name;

    internal static EaseModel ReadPayload(BinaryReader reader)
    {
        var (options, items, weights, history) = ReadParts(reader, "EASE");
        return new EaseModel(options, items, weights, history);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Model readers must be registered before any model file is read, whichever type was touched first.")]
    internal static void RegisterReader() => ModelFile.Register(Name, ReadPayload);
}

/// <summary>Embarrassingly Shallow Autoencoder.</summary>
/// <remarks>
/// Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019: the item-item weights minimize
/// |X - X B|^2 + lambda |B|^2 subject to diag(B) = 0, with the closed form P = (X^T X + lambda I)^-1,
/// B = I - P diag(1 / diag(P)), i.e. B[i, j] = -P[i, j] / P[j, j] off the diagonal. The Gram matrix is
/// accumulated sparsely (O(sum over users of n_u^2 / 2)), the inverse goes through
/// <see cref="Cholesky.InvertSpd(Span{float}, int, int)"/> (n^3 flops), so a fit is O(sum n_u^2 + n^3)
/// time and 3 n^2 floats of memory; scoring a user is O(n_u n). Catalogs whose matrices would exceed the
/// memory budget are refused up front.
/// With dropout p &gt; 0 the penalty becomes Lambda = lambda I + p / (1 - p) diagMat(diag(X^T X)), the
/// full-rank emphasized denoising linear autoencoder (EDLAE) of Steck, "Autoencoders that don't overfit
/// towards the Identity", NeurIPS 2020: training on inputs with dropout p, with the loss on the dropped
/// entries emphasized fully, has this closed form (same zero diagonal, same cost); it penalizes popular
/// items' weights more than a single lambda does.
/// With diagonal xi &gt; 0 the zero-diagonal constraint is relaxed to diag(B) &lt;= xi (RDLAE, Moon, Park and
/// Lee, "It's Enough: Relaxing Diagonal Constraints in Linear Autoencoders for Recommendation", SIGIR 2023):
/// B = I - P diagMat(mu) with mu_j = max(Lambda_jj, (1 - xi) / P_jj), so xi = 1 is the unconstrained DLAE
/// B = (G + Lambda)^-1 G. Seen items are never recommended, so only the column scales mu_j matter for
/// ranking: they trade EASE's 1 / P_jj against the plain penalty. Same cost.
/// </remarks>
public sealed class EaseTrainer : ITrainer<EaseOptions>
{
    /// <summary>Dense n x n float buffers alive at the peak: the Gram/inverse matrix and two scratch copies.</summary>
    private const int DenseCopies = 3;

    public IRecommender Fit(TrainingData data, EaseOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Train(data.Matrix, options, progress, cancellationToken);

    public static EaseModel Train(UserItemMatrix matrix, EaseOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!(options.Lambda > 0) || !float.IsFinite(options.Lambda))
        {
            throw new ArgumentException($"EASE option lambda={options.Lambda} must be positive and finite.", nameof(options));
        }

        if (!(options.Dropout >= 0 && options.Dropout < 1))
        {
            throw new ArgumentException($"EASE option dropout={options.Dropout} must be in [0, 1).", nameof(options));
        }

        if (!(options.Diagonal >= 0 && options.Diagonal <= 1))
        {
            throw new ArgumentException($"EASE option diagonal={options.Diagonal} must be in [0, 1].", nameof(options));
        }

        var n = matrix.Items;
        var needed = (long)n * n * sizeof(float) * DenseCopies;
        if (needed > options.MemoryBudgetBytes)
        {
            throw new InsufficientMemoryException(
                $"EASE needs about {needed / (1 << 20):N0} MiB for {n:N0} items ({DenseCopies} dense {n:N0} x {n:N0} float matrices), over the memory budget of " +
                $"{options.MemoryBudgetBytes / (1 << 20):N0} MiB. Use ALS or item-kNN for a catalog this large, or raise memory-budget-bytes.");
        }

        var share = options.Dropout / (1f - options.Dropout);
        var weights = Gram(matrix, options.Lambda, options.Threads, cancellationToken, share);
        var penalty = options.Diagonal > 0 ? Penalties(weights, n, options.Lambda, share) : null;
        progress?.Report(new TrainingProgress("gram", 1, 3));
        cancellationToken.ThrowIfCancellationRequested();
        Cholesky.InvertSpd(weights, n, options.Threads);
        progress?.Report(new TrainingProgress("inverse", 2, 3));
        cancellationToken.ThrowIfCancellationRequested();
        ToWeights(weights, n, penalty, options.Diagonal);
        VectorOps.EnsureFinite(weights, "EASE weights");
        progress?.Report(new TrainingProgress("weights", 3, 3));
        return new EaseModel(options.ToString(), n, weights, matrix);
    }

    /// <summary>
    /// The lower triangle of X^T X + lambda I + <paramref name="diagonalShare"/> diag(X^T X), accumulated item
    /// row by item row in parallel.
    /// </summary>
    internal static float[] Gram(UserItemMatrix matrix, float lambda, int threads, CancellationToken cancellationToken, float diagonalShare = 0f)
    {
        var n = matrix.Items;
        var g = new float[(long)n * n];
        var byItem = matrix.Transpose();
        var csr = matrix.Csr;
        var po = Parallelism.Options(threads);
        po.CancellationToken = cancellationToken;
        Parallel.For(0, n, po, i =>
        {
            var row = g.AsSpan(i * n, i + 1);
            var users = byItem.UsersOf(i);
            var wi = byItem.WeightsOf(i);
            for (var k = 0; k < users.Length; k++)
            {
                var s = csr.RowStart[users[k]];
                var e = csr.RowStart[users[k] + 1];
                var w = wi[k];
                for (var p = s; p < e; p++)
                {
                    var j = csr.ColumnIndex[p];
                    if (j > i)
                    {
                        break;
                    }

                    row[j] += w * csr.Values[p];
                }
            }

            row[i] += lambda + (diagonalShare * row[i]);
        });
        return g;
    }

    /// <summary>Lambda_jj = lambda + share G_jj, read back from the penalized Gram diagonal G_jj (1 + share) + lambda.</summary>
    private static float[] Penalties(float[] g, int n, float lambda, float share)
    {
        var penalty = new float[n];
        for (var j = 0; j < n; j++)
        {
            penalty[j] = lambda + (share * (g[((long)j * n) + j] - lambda) / (1f + share));
        }

        return penalty;
    }

    /// <summary>
    /// B = -P diagMat(mu) off the diagonal, in place, with mu_j = 1 / P_jj (zero diagonal) or, when the
    /// diagonal may reach xi, mu_j = max(Lambda_jj, (1 - xi) / P_jj). The stored diagonal is zero either way:
    /// an item's weight on itself never ranks anything, since seen items are excluded.
    /// </summary>
    private static void ToWeights(float[] p, int n, float[]? penalty, float xi)
    {
        var inv = new float[n];
        for (var j = 0; j < n; j++)
        {
            var pjj = p[((long)j * n) + j];
            inv[j] = penalty is null ? -1f / pjj : -MathF.Max(penalty[j], (1f - xi) / pjj);
        }

        for (var i = 0; i < n; i++)
        {
            var row = p.AsSpan(i * n, n);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, inv, row);
            row[i] = 0f;
        }
    }
}

/// <summary>Registers EASE with <see cref="AlgorithmRegistry"/>.</summary>
public sealed class EaseAlgorithm : Algorithm<EaseOptions>
{
    public override string Name => EaseModel.Name;

    public override string Description => "EASE: closed-form item-item linear autoencoder (Steck 2019); best quality on small and mid-size catalogs, memory grows with items squared.";

    protected override IRecommender Fit(TrainingData data, EaseOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        EaseTrainer.Train(data.Matrix, options, progress, cancellationToken);
}
