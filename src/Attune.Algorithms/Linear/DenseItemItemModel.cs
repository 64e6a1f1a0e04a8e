using System.Buffers;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Factorization;
using Attune.Numerics;

namespace Attune.Algorithms.Linear;

/// <summary>
/// A model whose scores are the training history times a dense item x item matrix (EASE, graph filters):
/// the score of item j gains W[i, j] per unit of item i in the history. Scoring a user is O(n_u n).
/// </summary>
public abstract class DenseItemItemModel : IRecommender, IPersistableModel, IFoldIn, ISimilarItems
{
    private readonly float[] _weights;
    private readonly UserItemMatrix _history;

    private protected DenseItemItemModel(string options, int items, float[] weights, UserItemMatrix history)
    {
        Options = options;
        ItemCount = items;
        _weights = weights;
        _history = history;
    }

    public abstract string Algorithm { get; }

    public string Options { get; }

    public int UserCount => _history.Users;

    public int ItemCount { get; }

    /// <summary>The item x item weights W, row-major: the score of item j gains W[i, j] per unit of item i in the history.</summary>
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

    private protected static (string Options, int Items, float[] Weights, UserItemMatrix History) ReadParts(BinaryReader reader, string what)
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
            throw new InvalidDataException($"{what} payload has {items} items but {weights.Length} weights.");
        }

        return (options, items, weights, new UserItemMatrix(new CsrMatrix(users, items, rowStart, columns, values)));
    }
}
