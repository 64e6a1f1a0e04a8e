using System.Globalization;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Serialization;
using Attune.Numerics;

namespace Attune.Algorithms.Neighbors;

public sealed record UserKnnOptions
{
    /// <summary>Neighbours kept per user (K).</summary>
    public int Neighbors { get; init; } = 50;

    /// <summary>Added to the cosine denominator: users with little overlap are pulled towards 0.</summary>
    public float Shrinkage { get; init; }

    /// <summary>Worker threads; 0 uses every core.</summary>
    public int Threads { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"neighbors={Neighbors}, shrinkage={Shrinkage}, threads={Threads}");
}

/// <summary>Fits <see cref="UserKnnModel"/>.</summary>
/// <remarks>
/// User-based collaborative filtering (Resnick et al., "GroupLens", CSCW 1994; Herlocker et al., SIGIR 1999)
/// with cosine similarity over the user-item matrix and the K most similar users kept per user.
/// Fit: O(sum over items of nnz(item)^2), see <see cref="SparseNeighbors"/>; memory O(users * K).
/// </remarks>
public sealed class UserKnnTrainer : ITrainer<UserKnnOptions>
{
    public IRecommender Fit(TrainingData data, UserKnnOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.Neighbors < 1 || options.Shrinkage < 0 || options.Threads < 0)
        {
            throw new ArgumentException($"Neighbors must be at least 1, Shrinkage and Threads at least 0: {options}.", nameof(options));
        }

        var userItems = data.Matrix.Csr;
        var itemUsers = data.Matrix.Transpose().Csr;
        var neighbors = SparseNeighbors.TopK(userItems, itemUsers, options.Neighbors, options.Shrinkage, normalize: true, options.Threads, progress, cancellationToken);
        return new UserKnnModel(options, userItems, neighbors);
    }
}

/// <summary>
/// score(u, i) = sum over u's K neighbours v of sim(u, v) * w(v, i). A new user is folded in by finding their
/// neighbours among the training users first. O(K * average history) per known user.
/// </summary>
public sealed class UserKnnModel : IRecommender, IFoldIn, IPersistableModel
{
    public const string Name = "user-knn";

    private readonly UserKnnOptions _options;
    private readonly CsrMatrix _history;
    private readonly CsrMatrix _neighbors;
    private readonly CsrMatrix _itemUsers;
    private readonly float[] _norms;

    static UserKnnModel() => ModelFile.Register(Name, Read);

    public UserKnnModel(UserKnnOptions options, CsrMatrix history, CsrMatrix neighbors)
    {
        if (neighbors.Rows != history.Rows || neighbors.Columns != history.Rows)
        {
            throw new ArgumentException($"Neighbour matrix is {neighbors.Rows}x{neighbors.Columns}, expected {history.Rows} users square.", nameof(neighbors));
        }

        _options = options;
        _history = history;
        _neighbors = neighbors;
        _itemUsers = history.Transpose();
        _norms = new float[history.Rows];
        for (var u = 0; u < history.Rows; u++)
        {
            var s = 0f;
            foreach (var v in history.RowValues(u))
            {
                s += v * v;
            }

            _norms[u] = MathF.Sqrt(s);
        }
    }

    public string Algorithm => Name;

    public string Options => _options.ToString();

    public int UserCount => _history.Rows;

    public int ItemCount => _history.Columns;

    public IReadOnlyList<ScoredItem> NeighborsOf(int user, int n) => NeighborList.Best(_neighbors, user, n);

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount || _history.RowLength(user) == 0)
        {
            return false;
        }

        scores[..ItemCount].Clear();
        AddNeighbors(_neighbors.RowColumns(user), _neighbors.RowValues(user), scores);
        return true;
    }

    public void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, Span<float> scores)
    {
        scores[..ItemCount].Clear();
        var acc = new float[UserCount];
        var norm = 0f;
        for (var h = 0; h < items.Length; h++)
        {
            var i = items[h];
            if ((uint)i >= (uint)ItemCount)
            {
                continue;
            }

            var w = weights[h];
            norm += w * w;
            var users = _itemUsers.RowColumns(i);
            var values = _itemUsers.RowValues(i);
            for (var p = 0; p < users.Length; p++)
            {
                acc[users[p]] += w * values[p];
            }
        }

        norm = MathF.Sqrt(norm);
        for (var v = 0; v < acc.Length; v++)
        {
            acc[v] = acc[v] > 0 ? acc[v] / ((norm * _norms[v]) + _options.Shrinkage) : float.NegativeInfinity;
        }

        var k = Math.Min(_options.Neighbors, acc.Length);
        var index = new int[k];
        var value = new float[k];
        var count = TopK.Select(acc, k, index, value);
        AddNeighbors(index.AsSpan(0, count), value.AsSpan(0, count), scores);
    }

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(_options.Neighbors);
        writer.Write(_options.Shrinkage);
        writer.Write(_options.Threads);
        writer.WriteCsr(_history);
        writer.WriteCsr(_neighbors);
    }

    private static UserKnnModel Read(BinaryReader reader)
    {
        var options = new UserKnnOptions { Neighbors = reader.ReadInt32(), Shrinkage = reader.ReadSingle(), Threads = reader.ReadInt32() };
        return new UserKnnModel(options, reader.ReadCsr(), reader.ReadCsr());
    }

    private void AddNeighbors(ReadOnlySpan<int> users, ReadOnlySpan<float> similarity, Span<float> scores)
    {
        for (var n = 0; n < users.Length; n++)
        {
            var s = similarity[n];
            var items = _history.RowColumns(users[n]);
            var weights = _history.RowValues(users[n]);
            for (var p = 0; p < items.Length; p++)
            {
                scores[items[p]] += s * weights[p];
            }
        }
    }
}

/// <summary>Describes user-knn to the registry.</summary>
public sealed class UserKnnAlgorithm : Algorithm<UserKnnOptions>
{
    public override string Name => UserKnnModel.Name;

    public override string Description => "User-user cosine neighbours (K, shrinkage), fold-in of new users";

    protected override IRecommender Fit(TrainingData data, UserKnnOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new UserKnnTrainer().Fit(data, options, progress, cancellationToken);
}
