using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Serialization;

namespace Attune.Algorithms.Neighbors;

/// <summary>Fits <see cref="ItemKnnModel"/>.</summary>
/// <remarks>
/// Item-based collaborative filtering (Sarwar et al., WWW 2001; Deshpande and Karypis, "Item-based top-N
/// recommendation algorithms", TOIS 2004): item-item cosine over the (optionally TF-IDF or BM25 weighted)
/// item-user matrix, keeping the K most similar items per item. See <see cref="SparseNeighbors"/> for the cost.
/// </remarks>
public sealed class ItemKnnTrainer : ITrainer<ItemKnnOptions>
{
    public IRecommender Fit(TrainingData data, ItemKnnOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var itemUsers = data.Matrix.Transpose().Csr;
        var weighted = KnnWeights.Apply(itemUsers, options.Weighting, options.K1, options.B);
        var userItems = options.Weighting == KnnWeighting.None ? data.Matrix.Csr : weighted.Transpose();
        var neighbors = SparseNeighbors.TopK(weighted, userItems, options.Neighbors, options.Shrinkage, options.Normalize, options.Threads, progress, cancellationToken);
        return new ItemKnnModel(options.ToString(), data.Matrix.Csr, neighbors);
    }
}

/// <summary>
/// Scores an item by the similarity-weighted sum over the user's items: score(i) = sum_j w(u, j) * sim(j, i),
/// using each of the user's items' K neighbours. O(|history| * K) per user.
/// </summary>
public sealed class ItemKnnModel : IRecommender, IFoldIn, ISimilarItems, IPersistableModel
{
    public const string Name = "item-knn";

    private readonly CsrMatrix _history;
    private readonly CsrMatrix _neighbors;

    static ItemKnnModel()
    {
        ModelFile.Register(Name, Read);
        ModelFile.Register(Rp3BetaAlgorithm.AlgorithmName, Read);
    }

    /// <param name="algorithm">The name of the similarity that built <paramref name="neighbors"/> ("item-knn", "rp3beta").</param>
    public ItemKnnModel(string options, CsrMatrix history, CsrMatrix neighbors, string algorithm = Name)
    {
        if (neighbors.Rows != history.Columns || neighbors.Columns != history.Columns)
        {
            throw new ArgumentException($"Neighbour matrix is {neighbors.Rows}x{neighbors.Columns}, expected {history.Columns} items square.", nameof(neighbors));
        }

        Algorithm = algorithm;
        Options = options;
        _history = history;
        _neighbors = neighbors;
    }

    public string Algorithm { get; }

    public string Options { get; }

    public int UserCount => _history.Rows;

    public int ItemCount => _history.Columns;

    /// <summary>The item-item neighbour matrix: row i holds i's K most similar items.</summary>
    public CsrMatrix Neighbors => _neighbors;

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount || _history.RowLength(user) == 0)
        {
            return false;
        }

        ScoreHistory(_history.RowColumns(user), _history.RowValues(user), scores);
        return true;
    }

    public void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, Span<float> scores)
    {
        scores[..ItemCount].Clear();
        var index = _neighbors.ColumnIndex;
        var value = _neighbors.Values;
        for (var h = 0; h < items.Length; h++)
        {
            var j = items[h];
            if ((uint)j >= (uint)ItemCount)
            {
                continue;
            }

            var w = weights[h];
            var end = _neighbors.RowStart[j + 1];
            for (var p = _neighbors.RowStart[j]; p < end; p++)
            {
                scores[index[p]] += w * value[p];
            }
        }
    }

    public IReadOnlyList<ScoredItem> SimilarItems(int item, int n) => NeighborList.Best(_neighbors, item, n);

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(Algorithm);
        writer.Write(Options);
        writer.WriteCsr(_history);
        writer.WriteCsr(_neighbors);
    }

    private static ItemKnnModel Read(BinaryReader reader)
    {
        var algorithm = reader.ReadString();
        return new ItemKnnModel(reader.ReadString(), reader.ReadCsr(), reader.ReadCsr(), algorithm);
    }
}

/// <summary>Describes item-knn to the registry.</summary>
public sealed class ItemKnnAlgorithm : Algorithm<ItemKnnOptions>
{
    public override string Name => ItemKnnModel.Name;

    public override string Description => "Item-item cosine neighbours (K, shrinkage, TF-IDF/BM25 weighting)";

    protected override IRecommender Fit(TrainingData data, ItemKnnOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new ItemKnnTrainer().Fit(data, options, progress, cancellationToken);
}
