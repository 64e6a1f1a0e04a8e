using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Serialization;

namespace Attune.Algorithms.Factorization;

/// <summary>A trained BPR-MF model: score = user . item + item bias.</summary>
public sealed class BprModel : IRecommender, IPersistableModel, ISimilarItems, ILatentFactorModel
{
    public const string Name = "bpr";

    private readonly float[] _userFactors;
    private readonly float[] _itemFactors;
    private readonly float[] _itemBias;
    private readonly Lazy<float[]> _normalizedItems;

    internal BprModel(string options, int factors, float[] userFactors, float[] itemFactors, float[] itemBias)
    {
        Options = options;
        Factors = factors;
        _userFactors = userFactors;
        _itemFactors = itemFactors;
        _itemBias = itemBias;
        UserCount = userFactors.Length / factors;
        ItemCount = itemFactors.Length / factors;
        _normalizedItems = new(() => LatentFactors.NormalizeRows(_itemFactors, Factors));
    }

    public string Algorithm => Name;

    public string Options { get; }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Factors { get; }

    public ReadOnlyMemory<float> UserFactors => _userFactors;

    public ReadOnlyMemory<float> ItemFactors => _itemFactors;

    public ReadOnlyMemory<float> ItemBias => _itemBias;

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount)
        {
            return false;
        }

        LatentFactors.Score(_itemFactors, _itemBias, Factors, _userFactors.AsSpan(user * Factors, Factors), scores[..ItemCount]);
        return true;
    }

    public IReadOnlyList<ScoredItem> SimilarItems(int item, int n) => LatentFactors.SimilarByCosine(_normalizedItems.Value, Factors, item, n);

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(Options);
        writer.Write(Factors);
        LatentFactors.WriteArray(writer, _userFactors);
        LatentFactors.WriteArray(writer, _itemFactors);
        LatentFactors.WriteArray(writer, _itemBias);
    }

    internal static BprModel ReadPayload(BinaryReader reader)
    {
        var options = reader.ReadString();
        var factors = reader.ReadInt32();
        var users = LatentFactors.ReadArray(reader);
        var items = LatentFactors.ReadArray(reader);
        var bias = LatentFactors.ReadArray(reader);
        if (factors <= 0 || users.Length % factors != 0 || items.Length % factors != 0 || (bias.Length != 0 && bias.Length != items.Length / factors))
        {
            throw new InvalidDataException($"BPR payload has {factors} factors but arrays of {users.Length}, {items.Length} and {bias.Length} values.");
        }

        return new BprModel(options, factors, users, items, bias);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Model readers must be registered before any model file is read, whichever type was touched first.")]
    internal static void RegisterReader() => ModelFile.Register(Name, ReadPayload);
}
