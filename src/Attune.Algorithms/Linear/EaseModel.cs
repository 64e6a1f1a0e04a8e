using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Factorization;
using Attune.Algorithms.Serialization;
using Attune.Numerics;

namespace Attune.Algorithms.Linear;

/// <summary>A trained EASE model: a dense item x item weight matrix with a zero diagonal.</summary>
public sealed class EaseModel : IRecommender, IPersistableModel, IFoldIn, ISimilarItems
{
    public const string Name = "ease";

    private readonly float[] _weights;
    private readonly UserItemMatrix _history;

    internal EaseModel(string options, int items, float[] weights, UserItemMatrix history)
    {
        Options = options;
        ItemCount = items;
        _weights = weights;
        _history = history;
    }

    public string Algorithm => Name;

    public string Options { get; }

    public int UserCount => _history.Users;

    public int ItemCount { get; }

    /// <summary>The item x item weights B, row-major: the score of item j gains B[i, j] per unit of item i in the history.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount)
        {
            return false;
        }

        ScoreHistory(_history.ItemsOf(user), _history.WeightsOf(user), scores);
        return true;
    }

    public void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, Span<float> scores)
    {
        var n = ItemCount;
        scores = scores[..n];
        scores.Clear();
        for (var k = 0; k < items.Length; k++)
        {
            var i = items[k];
            if ((uint)i >= (uint)n)
            {
                throw new ArgumentOutOfRangeException(nameof(items), i, $"History item at position {k} is not in [0, {n}).");
            }

            VectorOps.Axpy(weights.IsEmpty ? 1f : weights[k], _weights.AsSpan(i * n, n), scores);
        }
    }

    public IReadOnlyList<ScoredItem> SimilarItems(int item, int n)
    {
        if ((uint)item >= (uint)ItemCount)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index must be in [0, {ItemCount}).");
        }

        var scores = ArrayPool<float>.Shared.Rent(ItemCount);
        try
        {
            var span = scores.AsSpan(0, ItemCount);
            _weights.AsSpan(item * ItemCount, ItemCount).CopyTo(span);
            return RecommenderExtensions.TopOf(span, n, [item]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(Options);
        writer.Write(ItemCount);
        writer.Write(_history.Users);
        LatentFactors.WriteInts(writer, _history.Csr.RowStart);
        LatentFactors.WriteInts(writer, _history.Csr.ColumnIndex);
        LatentFactors.WriteArray(writer, _history.Csr.Values);
        LatentFactors.WriteArray(writer, _weights);
    }

    internal static EaseModel ReadPayload(BinaryReader reader)
    {
        var options = reader.ReadString();
        var items = reader.ReadInt32();
        var users = reader.ReadInt32();
        var rowStart = LatentFactors.ReadInts(reader);
        var columns = LatentFactors.ReadInts(reader);
        var values = LatentFactors.ReadArray(reader);
        var weights = LatentFactors.ReadArray(reader);
        if (weights.Length != (long)items * items)
        {
            throw new InvalidDataException($"EASE payload has {items} items but {weights.Length} weights.");
        }

        return new EaseModel(options, items, weights, new UserItemMatrix(new CsrMatrix(users, items, rowStart, columns, values)));
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

        var n = matrix.Items;
        var needed = (long)n * n * sizeof(float) * DenseCopies;
        if (needed > options.MemoryBudgetBytes)
        {
            throw new InsufficientMemoryException(
                $"EASE needs about {needed / (1 << 20):N0} MiB for {n:N0} items ({DenseCopies} dense {n:N0} x {n:N0} float matrices), over the memory budget of " +
                $"{options.MemoryBudgetBytes / (1 << 20):N0} MiB. Use ALS or item-kNN for a catalog this large, or raise memory-budget-bytes.");
        }

        var weights = Gram(matrix, options.Lambda, options.Threads, cancellationToken, options.Dropout / (1f - options.Dropout));
        progress?.Report(new TrainingProgress("gram", 1, 3));
        cancellationToken.ThrowIfCancellationRequested();
        Cholesky.InvertSpd(weights, n, options.Threads);
        progress?.Report(new TrainingProgress("inverse", 2, 3));
        cancellationToken.ThrowIfCancellationRequested();
        ToWeights(weights, n);
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

    /// <summary>B = -P / diag(P) column-wise, with a zero diagonal, in place.</summary>
    private static void ToWeights(float[] p, int n)
    {
        var inv = new float[n];
        for (var j = 0; j < n; j++)
        {
            inv[j] = -1f / p[((long)j * n) + j];
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
