using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Serialization;

namespace Attune.Algorithms.Factorization;

/// <summary>
/// A trained sampled-softmax candidate model: a user is the weighted mean of the input embeddings of their
/// history, and an item's score is its output embedding . that vector + its bias.
/// </summary>
public sealed class SoftmaxModel : IRecommender, IPersistableModel, IFoldIn, ISimilarItems, ILatentFactorModel
{
    public const string Name = "softmax";

    private readonly float[] _input;
    private readonly float[] _output;
    private readonly float[] _bias;
    private readonly float[] _users;
    private readonly Lazy<float[]> _normalizedItems;

    internal SoftmaxModel(string options, int factors, float[] input, float[] output, float[] bias, float[] users)
    {
        Options = options;
        Factors = factors;
        _input = input;
        _output = output;
        _bias = bias;
        _users = users;
        ItemCount = output.Length / factors;
        UserCount = users.Length / factors;
        _normalizedItems = new(() => LatentFactors.NormalizeRows(_input, Factors));
    }

    public string Algorithm => Name;

    public string Options { get; }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Factors { get; }

    /// <summary>The users' history vectors, computed once from the training data.</summary>
    public ReadOnlyMemory<float> UserFactors => _users;

    public ReadOnlyMemory<float> ItemFactors => _output;

    public ReadOnlyMemory<float> ItemBias => _bias;

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount)
        {
            return false;
        }

        LatentFactors.Score(_output, _bias, Factors, _users.AsSpan(user * Factors, Factors), scores[..ItemCount]);
        return true;
    }

    public void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, Span<float> scores)
    {
        var x = new float[Factors];
        UserVector(_input, Factors, ItemCount, items, weights, x);
        LatentFactors.Score(_output, _bias, Factors, x, scores[..ItemCount]);
    }

    public IReadOnlyList<ScoredItem> SimilarItems(int item, int n) => LatentFactors.SimilarByCosine(_normalizedItems.Value, Factors, item, n);

    /// <summary>x = sum w_j v_j / sum w_j over the history (zero for an empty history).</summary>
    internal static void UserVector(ReadOnlySpan<float> input, int f, int items, ReadOnlySpan<int> history, ReadOnlySpan<float> weights, Span<float> x)
    {
        x.Clear();
        var total = 0f;
        for (var k = 0; k < history.Length; k++)
        {
            var i = history[k];
            if ((uint)i >= (uint)items)
            {
                throw new ArgumentOutOfRangeException(nameof(history), i, $"History item at position {k} is not in [0, {items}).");
            }

            var w = weights.IsEmpty ? 1f : weights[k];
            Numerics.VectorOps.Axpy(w, input.Slice(i * f, f), x);
            total += w;
        }

        if (total > 0)
        {
            Numerics.VectorOps.Scale(1f / total, x);
        }
    }

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(Options);
        writer.Write(Factors);
        LatentFactors.WriteArray(writer, _input);
        LatentFactors.WriteArray(writer, _output);
        LatentFactors.WriteArray(writer, _bias);
        LatentFactors.WriteArray(writer, _users);
    }

    internal static SoftmaxModel ReadPayload(BinaryReader reader)
    {
        var options = reader.ReadString();
        var factors = reader.ReadInt32();
        var input = LatentFactors.ReadArray(reader);
        var output = LatentFactors.ReadArray(reader);
        var bias = LatentFactors.ReadArray(reader);
        var users = LatentFactors.ReadArray(reader);
        if (factors <= 0 || input.Length != output.Length || output.Length % factors != 0 || bias.Length != output.Length / factors || users.Length % factors != 0)
        {
            throw new InvalidDataException("Softmax payload arrays do not fit together.");
        }

        return new SoftmaxModel(options, factors, input, output, bias, users);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Model readers must be registered before any model file is read, whichever type was touched first.")]
    internal static void RegisterReader() => ModelFile.Register(Name, ReadPayload);
}
