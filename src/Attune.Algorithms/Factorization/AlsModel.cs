using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Serialization;
using Attune.Numerics;

namespace Attune.Algorithms.Factorization;

/// <summary>A trained implicit ALS model: user and item factors, scores are their dot products.</summary>
public sealed class AlsModel : IRecommender, IPersistableModel, IFoldIn, ISimilarItems, ILatentFactorModel
{
    public const string Name = "als";

    private readonly float[] _userFactors;
    private readonly float[] _itemFactors;
    private readonly Lazy<float[]> _normalizedItems;
    private readonly Lazy<float[]> _gramian;

    internal AlsModel(string options, int factors, float regularization, float alpha, float[] userFactors, float[] itemFactors, float regularizationExponent = 0f)
    {
        Options = options;
        Factors = factors;
        Regularization = regularization;
        RegularizationExponent = regularizationExponent;
        Alpha = alpha;
        _userFactors = userFactors;
        _itemFactors = itemFactors;
        UserCount = userFactors.Length / factors;
        ItemCount = itemFactors.Length / factors;
        _normalizedItems = new(() => LatentFactors.NormalizeRows(_itemFactors, Factors));
        _gramian = new(() => AlsTrainer.Gramian(_itemFactors, ItemCount, Factors, RegularizationExponent == 0 ? Regularization : 0f, threads: 1));
    }

    public string Algorithm => Name;

    public string Options { get; }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Factors { get; }

    public float Regularization { get; }

    public float Alpha { get; }

    /// <summary>The frequency-scaling exponent of the penalty (<see cref="AlsOptions.RegularizationExponent"/>); 0 for the plain penalty.</summary>
    public float RegularizationExponent { get; }

    public ReadOnlyMemory<float> UserFactors => _userFactors;

    public ReadOnlyMemory<float> ItemFactors => _itemFactors;

    public ReadOnlyMemory<float> ItemBias => ReadOnlyMemory<float>.Empty;

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount)
        {
            return false;
        }

        LatentFactors.Score(_itemFactors, default, Factors, _userFactors.AsSpan(user * Factors, Factors), scores[..ItemCount]);
        return true;
    }

    /// <summary>
    /// Solves the user's least-squares problem against the fixed item factors exactly (one f x f Cholesky),
    /// the same problem a training sweep solves approximately.
    /// </summary>
    public void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, Span<float> scores)
    {
        var f = Factors;
        var a = new double[f * f];
        var b = new double[f];
        var g = _gramian.Value;
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = g[i];
        }

        // The rank-one updates (c - 1) y y^T dominate a fold-in (events x f^2); vectorized rows over a double copy of y.
        var yd = new double[f];
        for (var k = 0; k < items.Length; k++)
        {
            var item = items[k];
            if ((uint)item >= (uint)ItemCount)
            {
                throw new ArgumentOutOfRangeException(nameof(items), item, $"History item at position {k} is not in [0, {ItemCount}).");
            }

            var c = 1.0 + (Alpha * (weights.IsEmpty ? 1f : weights[k]));
            var y = _itemFactors.AsSpan(item * f, f);
            for (var r = 0; r < f; r++)
            {
                yd[r] = y[r];
            }

            for (var r = 0; r < f; r++)
            {
                b[r] += c * yd[r];
                var row = a.AsSpan(r * f, f);
                TensorPrimitives.MultiplyAdd(yd, (c - 1) * yd[r], row, row);
            }
        }

        if (RegularizationExponent != 0)
        {
            var total = 0.0;
            for (var k = 0; k < items.Length; k++)
            {
                total += weights.IsEmpty ? 1f : weights[k];
            }

            var penalty = Regularization * Math.Pow(ItemCount + (Alpha * total), RegularizationExponent);
            for (var r = 0; r < f; r++)
            {
                a[(r * f) + r] += penalty;
            }
        }

        Cholesky.Factor(a, f, threads: 1);
        Cholesky.Solve(a, f, b);
        var x = new float[f];
        for (var r = 0; r < f; r++)
        {
            x[r] = (float)b[r];
        }

        LatentFactors.Score(_itemFactors, default, f, x, scores[..ItemCount]);
    }

    public IReadOnlyList<ScoredItem> SimilarItems(int item, int n) => LatentFactors.SimilarByCosine(_normalizedItems.Value, Factors, item, n);

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(Options);
        writer.Write(Factors);
        writer.Write(Regularization);
        writer.Write(Alpha);
        LatentFactors.WriteArray(writer, _userFactors);
        LatentFactors.WriteArray(writer, _itemFactors);
    }

    internal static AlsModel ReadPayload(BinaryReader reader)
    {
        var options = reader.ReadString();
        var factors = reader.ReadInt32();
        var regularization = reader.ReadSingle();
        var alpha = reader.ReadSingle();
        var users = LatentFactors.ReadArray(reader);
        var items = LatentFactors.ReadArray(reader);
        if (factors <= 0 || users.Length % factors != 0 || items.Length % factors != 0)
        {
            throw new InvalidDataException($"ALS payload has {factors} factors but arrays of {users.Length} and {items.Length} values.");
        }

        return new AlsModel(options, factors, regularization, alpha, users, items, ExponentOf(options));
    }

    /// <summary>The exponent is read back from the options text, so files keep their layout.</summary>
    private static float ExponentOf(string options)
    {
        const string Key = "regularization-exponent=";
        var at = options.IndexOf(Key, StringComparison.Ordinal);
        if (at < 0)
        {
            return 0f;
        }

        var end = options.IndexOf(',', at);
        var text = end < 0 ? options[(at + Key.Length)..] : options[(at + Key.Length)..end];
        return float.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Model readers must be registered before any model file is read, whichever type was touched first.")]
    internal static void RegisterReader() => ModelFile.Register(Name, ReadPayload);
}
