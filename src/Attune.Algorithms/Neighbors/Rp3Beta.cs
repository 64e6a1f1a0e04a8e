using System.Globalization;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;

namespace Attune.Algorithms.Neighbors;

public sealed record Rp3BetaOptions
{
    /// <summary>Neighbours kept per item (K).</summary>
    public int Neighbors { get; init; } = 100;

    /// <summary>Exponent on the random-walk transition probabilities.</summary>
    public float Alpha { get; init; } = 1f;

    /// <summary>Popularity penalty: similarity to item j is divided by popularity(j)^Beta.</summary>
    public float Beta { get; init; } = 0.5f;

    /// <summary>Worker threads; 0 uses every core.</summary>
    public int Threads { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"neighbors={Neighbors}, alpha={Alpha}, beta={Beta}, threads={Threads}");
}

/// <summary>Fits an item-item model whose similarity is a popularity-penalized 3-step random walk.</summary>
/// <remarks>
/// RP3beta (Paudel, Christoffel, Bernstein, "Updatable, accurate, diverse, and scalable recommendations for
/// interactive applications", TiiS 2016): sim(i, j) = sum_u P(i->u)^alpha * P(u->j)^alpha / pop(j)^beta with
/// P(i->u) = 1/|users of i| and P(u->j) = 1/|items of u| on the binarized matrix, K best kept per item.
/// Same sparse co-occurrence cost as item-kNN (<see cref="SparseNeighbors"/>); scoring as <see cref="ItemKnnModel"/>.
/// </remarks>
public sealed class Rp3BetaTrainer : ITrainer<Rp3BetaOptions>
{
    public IRecommender Fit(TrainingData data, Rp3BetaOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.Neighbors < 1 || options.Alpha <= 0 || options.Beta < 0 || options.Threads < 0)
        {
            throw new ArgumentException($"Neighbors must be at least 1, Alpha positive, Beta and Threads at least 0: {options}.", nameof(options));
        }

        var userItems = data.Matrix.Csr;
        var itemUsers = data.Matrix.Transpose().Csr;
        var fromItems = RowStochastic(itemUsers, options.Alpha);
        var fromUsers = RowStochastic(userItems, options.Alpha);
        var penalty = new float[itemUsers.Rows];
        for (var i = 0; i < penalty.Length; i++)
        {
            var pop = itemUsers.RowLength(i);
            penalty[i] = pop > 0 ? MathF.Pow(pop, -options.Beta) : 0;
        }

        var neighbors = SparseNeighbors.TopK(fromItems, fromUsers, options.Neighbors, 0, normalize: false, options.Threads, progress, cancellationToken, penalty);
        return new ItemKnnModel(options.ToString(), userItems, neighbors, Rp3BetaAlgorithm.AlgorithmName);
    }

    private static CsrMatrix RowStochastic(CsrMatrix m, float alpha)
    {
        var values = new float[m.NonZeros];
        for (var r = 0; r < m.Rows; r++)
        {
            var n = m.RowLength(r);
            var p = n > 0 ? MathF.Pow(1f / n, alpha) : 0;
            values.AsSpan(m.RowStart[r], n).Fill(p);
        }

        return new CsrMatrix(m.Rows, m.Columns, m.RowStart, m.ColumnIndex, values);
    }
}

public sealed class Rp3BetaAlgorithm : Algorithm<Rp3BetaOptions>
{
    public const string AlgorithmName = "rp3beta";

    public override string Name => AlgorithmName;

    public override string Description => "Item-item random-walk similarity with a popularity penalty (RP3beta)";

    protected override IRecommender Fit(TrainingData data, Rp3BetaOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new Rp3BetaTrainer().Fit(data, options, progress, cancellationToken);
}
