using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Factorization;
using Attune.Algorithms.Serialization;
using Attune.Numerics;

namespace Attune.Algorithms.Linear;

/// <summary>
/// A trained user-side EASE model: a dense user x user weight matrix; a user's scores are the weighted sum of
/// the other users' histories.
/// </summary>
public sealed class UserEaseModel : IRecommender, IPersistableModel
{
    public const string Name = "user-ease";

    /// <summary>Row u holds the weights of every training user in user u's scores (zero on the diagonal).</summary>
    private readonly float[] _weights;
    private readonly UserItemMatrix _history;

    internal UserEaseModel(string options, float[] weights, UserItemMatrix history)
    {
        Options = options;
        _weights = weights;
        _history = history;
    }

    public string Algorithm => Name;

    public string Options { get; }

    public int UserCount => _history.Users;

    public int ItemCount => _history.Items;

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount)
        {
            return false;
        }

        var m = UserCount;
        scores = scores[..ItemCount];
        scores.Clear();
        var row = _weights.AsSpan(user * m, m);
        for (var v = 0; v < m; v++)
        {
            var w = row[v];
            if (w == 0f)
            {
                continue;
            }

            var items = _history.ItemsOf(v);
            var values = _history.WeightsOf(v);
            for (var k = 0; k < items.Length; k++)
            {
                scores[items[k]] += w * values[k];
            }
        }

        return true;
    }

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(Options);
        writer.Write(_history.Users);
        writer.Write(_history.Items);
        LatentFactors.WriteInts(writer, _history.Csr.RowStart);
        LatentFactors.WriteInts(writer, _history.Csr.ColumnIndex);
        LatentFactors.WriteArray(writer, _history.Csr.Values);
        LatentFactors.WriteArray(writer, _weights);
    }

    internal static UserEaseModel ReadPayload(BinaryReader reader)
    {
        var options = reader.ReadString();
        var users = reader.ReadInt32();
        var items = reader.ReadInt32();
        var rowStart = LatentFactors.ReadInts(reader);
        var columns = LatentFactors.ReadInts(reader);
        var values = LatentFactors.ReadArray(reader);
        var weights = LatentFactors.ReadArray(reader);
        if (weights.Length != (long)users * users)
        {
            throw new InvalidDataException($"User-side EASE payload has {users} users but {weights.Length} weights.");
        }

        return new UserEaseModel(options, weights, new UserItemMatrix(new CsrMatrix(users, items, rowStart, columns, values)));
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Model readers must be registered before any model file is read, whichever type was touched first.")]
    internal static void RegisterReader() => ModelFile.Register(Name, ReadPayload);
}

/// <summary>EASE on the transposed matrix: each user's history is reconstructed from the other users'.</summary>
/// <remarks>
/// The closed form of Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019, applied to
/// X^T (users as the autoencoder's inputs): S minimizes |X^T - X^T S|^2 + lambda |S|^2 with diag(S) = 0,
/// the optimal linear form of user-based neighbourhood CF; dropout and the diagonal bound act as for
/// <see cref="EaseTrainer"/> (EDLAE, Steck 2020; RDLAE, Moon et al. 2023). It sees the data from the
/// other side than item-based EASE, which makes it a useful blend partner where users are few. Fit:
/// O(sum over items of n_i^2 / 2 + m^3) time, 3 m^2 floats at the peak (m users); scoring a user walks the
/// histories of the users with a non-zero weight, O(nnz) at most. No fold-in: a new user has no column in S.
/// </remarks>
public sealed class UserEaseTrainer : ITrainer<EaseOptions>
{
    public IRecommender Fit(TrainingData data, EaseOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Train(data.Matrix, options, progress, cancellationToken);

    public static UserEaseModel Train(UserItemMatrix matrix, EaseOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var byUser = EaseTrainer.Train(new UserItemMatrix(matrix.Transpose().Csr), options, progress, cancellationToken);
        var m = matrix.Users;

        // EASE's B[v, u] is user v's weight in user u's reconstruction; scoring wants row u, so keep B^T.
        var weights = new float[(long)m * m];
        Gemm.Transpose(byUser.Weights, m, m, weights);
        return new UserEaseModel(options.ToString(), weights, matrix);
    }
}

/// <summary>Registers user-side EASE with <see cref="AlgorithmRegistry"/>.</summary>
public sealed class UserEaseAlgorithm : Algorithm<EaseOptions>
{
    public override string Name => UserEaseModel.Name;

    public override string Description => "User-side EASE: the EASE closed form on the transposed matrix (users reconstruct users); memory grows with users squared.";

    protected override IRecommender Fit(TrainingData data, EaseOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        UserEaseTrainer.Train(data.Matrix, options, progress, cancellationToken);
}
