using System.Buffers;
using System.Globalization;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Serialization;

namespace Attune.Algorithms.Hybrid;

/// <summary>
/// A weighted blend of several models: score(u, i) = sum_c w_c * normalize_u(score_c(u, ·))(i). A component
/// that does not know the user contributes nothing; the blend knows a user when any component does.
/// Cost: the sum of the components' scoring costs plus O(components * items).
/// </summary>
public sealed class HybridModel : IRecommender, IFoldIn, IPersistableModel
{
    public const string Name = "hybrid";

    private readonly IRecommender[] _components;
    private readonly double[] _weights;

    static HybridModel() => ModelFile.Register(Name, Read);

    public HybridModel(string options, IRecommender[] components, double[] weights, ScoreNormalization normalization)
    {
        if (components.Length == 0 || components.Length != weights.Length)
        {
            throw new ArgumentException($"A hybrid needs one weight per component, got {components.Length} components and {weights.Length} weights.", nameof(weights));
        }

        foreach (var c in components)
        {
            if (c.ItemCount != components[0].ItemCount || c.UserCount != components[0].UserCount)
            {
                throw new ArgumentException($"Component '{c.Algorithm}' covers {c.UserCount}x{c.ItemCount}, the first covers {components[0].UserCount}x{components[0].ItemCount}.", nameof(components));
            }
        }

        Options = options;
        _components = components;
        _weights = weights;
        Normalization = normalization;
    }

    public string Algorithm => Name;

    public string Options { get; }

    public int UserCount => _components[0].UserCount;

    public int ItemCount => _components[0].ItemCount;

    public IReadOnlyList<IRecommender> Components => _components;

    public IReadOnlyList<double> Weights => _weights;

    public ScoreNormalization Normalization { get; }

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount)
        {
            return false;
        }

        var buffer = ArrayPool<float>.Shared.Rent(ItemCount);
        try
        {
            var part = buffer.AsSpan(0, ItemCount);
            var known = false;
            for (var c = 0; c < _components.Length; c++)
            {
                if (_weights[c] == 0 || !_components[c].TryScore(user, part))
                {
                    continue;
                }

                if (!known)
                {
                    scores[..ItemCount].Clear();
                    known = true;
                }

                ScoreBlend.Normalize(part, Normalization);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(part, (float)_weights[c], scores[..ItemCount], scores[..ItemCount]);
            }

            return known;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Blends the components that can fold in a new history; the others are left out.</summary>
    public void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, Span<float> scores)
    {
        scores[..ItemCount].Clear();
        var buffer = ArrayPool<float>.Shared.Rent(ItemCount);
        try
        {
            var part = buffer.AsSpan(0, ItemCount);
            for (var c = 0; c < _components.Length; c++)
            {
                if (_weights[c] != 0 && _components[c] is IFoldIn foldIn)
                {
                    foldIn.ScoreHistory(items, weights, part);
                    ScoreBlend.Normalize(part, Normalization);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(part, (float)_weights[c], scores[..ItemCount], scores[..ItemCount]);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(Options);
        writer.Write((int)Normalization);
        writer.WriteArray(_weights);
        writer.Write(_components.Length);
        foreach (var c in _components)
        {
            writer.WriteModel(c);
        }
    }

    internal static string Describe(HybridOptions options, IReadOnlyList<string> specs, double[] weights) =>
        options.ToString() + ", blend=" + string.Join(" + ", specs.Select((s, k) => string.Create(CultureInfo.InvariantCulture, $"{weights[k]:0.###} x [{s}]")));

    private static HybridModel Read(BinaryReader reader)
    {
        var options = reader.ReadString();
        var normalization = (ScoreNormalization)reader.ReadInt32();
        var weights = reader.ReadArray<double>();
        var count = reader.ReadInt32();
        if (count != weights.Length)
        {
            throw new InvalidDataException($"Hybrid payload has {weights.Length} weights for {count} components.");
        }

        var components = new IRecommender[count];
        for (var c = 0; c < count; c++)
        {
            components[c] = reader.ReadModel();
        }

        return new HybridModel(options, components, weights, normalization);
    }
}
