using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Serialization;

namespace Attune.Algorithms.Popularity;

/// <summary>
/// A non-personalized ranking: every known user gets the same item scores. Also answers "most popular in a
/// category" when the training data carried item categories.
/// </summary>
public sealed class PopularityModel : IRecommender, IPersistableModel
{
    private readonly float[] _scores;
    private readonly Dictionary<string, int[]> _byCategory;

    static PopularityModel()
    {
        ModelFile.Register(PopularityAlgorithm.AlgorithmName, Read);
        ModelFile.Register(TrendingAlgorithm.AlgorithmName, Read);
    }

    public PopularityModel(string algorithm, string options, int userCount, float[] scores, IReadOnlyDictionary<string, int[]> byCategory)
    {
        Algorithm = algorithm;
        Options = options;
        UserCount = userCount;
        _scores = scores;
        _byCategory = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (category, items) in byCategory)
        {
            // Kept best first, so a category query is a prefix.
            var sorted = (int[])items.Clone();
            Array.Sort(sorted, (a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
            _byCategory[category] = sorted;
        }
    }

    public string Algorithm { get; }

    public string Options { get; }

    public int UserCount { get; }

    public int ItemCount => _scores.Length;

    /// <summary>The item scores every user gets.</summary>
    public ReadOnlySpan<float> Scores => _scores;

    public IReadOnlyCollection<string> Categories => _byCategory.Keys;

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount)
        {
            return false;
        }

        _scores.CopyTo(scores);
        return true;
    }

    /// <summary>The <paramref name="n"/> best items of a category, best first; empty for an unknown category.</summary>
    public IReadOnlyList<ScoredItem> Popular(string category, int n)
    {
        if (!_byCategory.TryGetValue(category, out var items))
        {
            return [];
        }

        var result = new ScoredItem[Math.Min(n, items.Length)];
        for (var k = 0; k < result.Length; k++)
        {
            result[k] = new ScoredItem(items[k], _scores[items[k]]);
        }

        return result;
    }

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(Algorithm);
        writer.Write(Options);
        writer.Write(UserCount);
        writer.WriteArray(_scores);
        writer.Write(_byCategory.Count);
        foreach (var (category, items) in _byCategory.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Write(category);
            writer.WriteArray(items);
        }
    }

    private static PopularityModel Read(BinaryReader reader)
    {
        var algorithm = reader.ReadString();
        var options = reader.ReadString();
        var users = reader.ReadInt32();
        var scores = reader.ReadArray<float>();
        var categories = reader.ReadInt32();
        var byCategory = new Dictionary<string, int[]>(StringComparer.Ordinal);
        for (var c = 0; c < categories; c++)
        {
            byCategory[reader.ReadString()] = reader.ReadArray<int>();
        }

        return new PopularityModel(algorithm, options, users, scores, byCategory);
    }

    internal static Dictionary<string, int[]> GroupByCategory(ItemFeatures? features)
    {
        var lists = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        if (features is null)
        {
            return [];
        }

        for (var i = 0; i < features.Count; i++)
        {
            foreach (var category in features.Categories[i])
            {
                if (!lists.TryGetValue(category, out var list))
                {
                    lists[category] = list = [];
                }

                list.Add(i);
            }
        }

        return lists.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }
}
