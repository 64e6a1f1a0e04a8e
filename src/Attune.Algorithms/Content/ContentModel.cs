using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Serialization;
using Attune.Numerics;

namespace Attune.Algorithms.Content;

/// <summary>Fits <see cref="ContentModel"/> from the items' titles, texts, categories and tags.</summary>
/// <remarks>
/// Content-based filtering with TF-IDF item vectors (Salton and Buckley, "Term-weighting approaches in
/// automatic text retrieval", 1988; Pazzani and Billsus, "Content-based recommendation systems", 2007):
/// tf is the field-weighted token count (optionally ln(1 + tf)), idf = ln((1 + N) / (1 + df)) + 1, and every
/// item vector is L2-normalized. O(total tokens) to fit; memory O(item vector non-zeros).
/// </remarks>
public sealed class ContentTrainer : ITrainer<ContentOptions>
{
    public IRecommender Fit(TrainingData data, ContentOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var features = data.ItemFeatures
            ?? throw new ArgumentException("The content model needs item features (titles, texts, categories, tags) in the training data.", nameof(data));
        if (options.MinDocumentFrequency < 1 || options.MaxDocumentShare is <= 0 or > 1)
        {
            throw new ArgumentException($"MinDocumentFrequency must be at least 1 and MaxDocumentShare in (0, 1]: {options}.", nameof(options));
        }

        var n = features.Count;
        var counts = new Dictionary<string, float>[n];
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            counts[i] = ContentModel.Count(options, new ItemContent(features.Titles[i], features.Texts[i], features.Categories[i], features.Tags[i]));
            foreach (var token in counts[i].Keys)
            {
                df[token] = df.GetValueOrDefault(token) + 1;
            }
        }

        var maxDf = options.MaxDocumentShare >= 1 ? int.MaxValue : (int)Math.Floor(options.MaxDocumentShare * n);
        var vocabulary = df.Where(p => p.Value >= options.MinDocumentFrequency && p.Value <= maxDf).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        var idf = vocabulary.Select(t => (float)(Math.Log((1.0 + n) / (1.0 + df[t])) + 1)).ToArray();
        progress?.Report(new TrainingProgress("vocabulary", 1, 2));
        var model = new ContentModel(options, vocabulary, idf, data.Matrix.Csr, null);
        var start = new int[n + 1];
        var cols = new List<int>();
        var vals = new List<float>();
        for (var i = 0; i < n; i++)
        {
            var (index, value) = model.Vectorize(counts[i]);
            cols.AddRange(index);
            vals.AddRange(value);
            start[i + 1] = cols.Count;
        }

        progress?.Report(new TrainingProgress("vectors", 2, 2));
        return new ContentModel(options, vocabulary, idf, data.Matrix.Csr, new CsrMatrix(n, vocabulary.Length, start, cols.ToArray(), vals.ToArray()));
    }
}

/// <summary>
/// A user's profile is the interaction-weighted sum of the vectors of their items; an item's score is the dot
/// product of its vector with the profile. Works for items never seen in training through
/// <see cref="Vectorize(ItemContent)"/> and <see cref="ScoreContent"/>. O(profile terms + item vector non-zeros) per user.
/// </summary>
public sealed class ContentModel : IRecommender, IFoldIn, ISimilarItems, IPersistableModel
{
    public const string Name = "content";

    private readonly ContentOptions _options;
    private readonly string[] _vocabulary;
    private readonly Dictionary<string, int> _index;
    private readonly float[] _idf;
    private readonly CsrMatrix _history;
    private readonly CsrMatrix _vectors;

    static ContentModel() => ModelFile.Register(Name, Read);

    internal ContentModel(ContentOptions options, string[] vocabulary, float[] idf, CsrMatrix history, CsrMatrix? vectors)
    {
        _options = options;
        _vocabulary = vocabulary;
        _idf = idf;
        _history = history;
        _vectors = vectors ?? new CsrMatrix(0, vocabulary.Length, [0], [], []);
        _index = new Dictionary<string, int>(vocabulary.Length, StringComparer.Ordinal);
        for (var t = 0; t < vocabulary.Length; t++)
        {
            _index[vocabulary[t]] = t;
        }
    }

    public string Algorithm => Name;

    public string Options => _options.ToString();

    public int UserCount => _history.Rows;

    public int ItemCount => _vectors.Rows;

    public IReadOnlyList<string> Vocabulary => _vocabulary;

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
        var profile = Profile(items, weights);
        for (var i = 0; i < ItemCount; i++)
        {
            scores[i] = Dot(_vectors.RowColumns(i), _vectors.RowValues(i), profile);
        }
    }

    /// <summary>The learned TF-IDF vector of new content (tokens outside the vocabulary are ignored), L2-normalized.</summary>
    public (int[] Terms, float[] Values) Vectorize(ItemContent content) => Vectorize(Count(_options, content));

    /// <summary>How well new content (an item not in training) fits a user's profile; false for an unknown user.</summary>
    public bool ScoreContent(int user, ItemContent content, out float score)
    {
        score = 0;
        if ((uint)user >= (uint)UserCount || _history.RowLength(user) == 0)
        {
            return false;
        }

        var profile = Profile(_history.RowColumns(user), _history.RowValues(user));
        var (terms, values) = Vectorize(content);
        score = Dot(terms, values, profile);
        return true;
    }

    /// <summary>The training items most similar to new content, best first.</summary>
    public IReadOnlyList<ScoredItem> SimilarToContent(ItemContent content, int n)
    {
        var (terms, values) = Vectorize(content);
        return Similar(terms, values, n, exclude: -1);
    }

    public IReadOnlyList<ScoredItem> SimilarItems(int item, int n) =>
        (uint)item < (uint)ItemCount ? Similar(_vectors.RowColumns(item), _vectors.RowValues(item), n, item) : [];

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(_options.TitleWeight);
        writer.Write(_options.TextWeight);
        writer.Write(_options.CategoryWeight);
        writer.Write(_options.TagWeight);
        writer.Write(_options.MinDocumentFrequency);
        writer.Write(_options.MaxDocumentShare);
        writer.Write(_options.SublinearTf);
        writer.WriteStrings(_vocabulary);
        writer.WriteArray(_idf);
        writer.WriteCsr(_history);
        writer.WriteCsr(_vectors);
    }

    internal static Dictionary<string, float> Count(ContentOptions options, ItemContent content)
    {
        var counts = new Dictionary<string, float>(StringComparer.Ordinal);
        void Add(string token, float weight)
        {
            if (weight > 0)
            {
                counts[token] = counts.GetValueOrDefault(token) + weight;
            }
        }

        foreach (var w in Tokenizer.Words(content.Title))
        {
            Add(w, options.TitleWeight);
        }

        foreach (var w in Tokenizer.Words(content.Text))
        {
            Add(w, options.TextWeight);
        }

        foreach (var c in content.Categories)
        {
            Add(Tokenizer.Whole(Tokenizer.CategoryPrefix, c), options.CategoryWeight);
        }

        foreach (var t in content.Tags)
        {
            Add(Tokenizer.Whole(Tokenizer.TagPrefix, t), options.TagWeight);
        }

        return counts;
    }

    internal (int[] Terms, float[] Values) Vectorize(Dictionary<string, float> counts)
    {
        var terms = new List<(int Term, float Value)>(counts.Count);
        foreach (var (token, tf) in counts)
        {
            if (_index.TryGetValue(token, out var t))
            {
                terms.Add((t, (_options.SublinearTf ? MathF.Log(1 + tf) : tf) * _idf[t]));
            }
        }

        terms.Sort((a, b) => a.Term.CompareTo(b.Term));
        var norm = MathF.Sqrt(terms.Sum(x => x.Value * x.Value));
        return (terms.Select(x => x.Term).ToArray(), terms.Select(x => norm > 0 ? x.Value / norm : 0).ToArray());
    }

    private static float Dot(ReadOnlySpan<int> terms, ReadOnlySpan<float> values, float[] dense)
    {
        var s = 0f;
        for (var k = 0; k < terms.Length; k++)
        {
            s += values[k] * dense[terms[k]];
        }

        return s;
    }

    private static ContentModel Read(BinaryReader reader)
    {
        var options = new ContentOptions
        {
            TitleWeight = reader.ReadSingle(),
            TextWeight = reader.ReadSingle(),
            CategoryWeight = reader.ReadSingle(),
            TagWeight = reader.ReadSingle(),
            MinDocumentFrequency = reader.ReadInt32(),
            MaxDocumentShare = reader.ReadSingle(),
            SublinearTf = reader.ReadBoolean(),
        };
        return new ContentModel(options, reader.ReadStrings(), reader.ReadArray<float>(), reader.ReadCsr(), reader.ReadCsr());
    }

    private float[] Profile(ReadOnlySpan<int> items, ReadOnlySpan<float> weights)
    {
        var profile = new float[_vocabulary.Length];
        for (var h = 0; h < items.Length; h++)
        {
            var i = items[h];
            if ((uint)i >= (uint)ItemCount)
            {
                continue;
            }

            var terms = _vectors.RowColumns(i);
            var values = _vectors.RowValues(i);
            for (var k = 0; k < terms.Length; k++)
            {
                profile[terms[k]] += weights[h] * values[k];
            }
        }

        return profile;
    }

    private IReadOnlyList<ScoredItem> Similar(ReadOnlySpan<int> terms, ReadOnlySpan<float> values, int n, int exclude)
    {
        var query = new float[_vocabulary.Length];
        for (var k = 0; k < terms.Length; k++)
        {
            query[terms[k]] = values[k];
        }

        var scores = new float[ItemCount];
        for (var i = 0; i < ItemCount; i++)
        {
            var s = Dot(_vectors.RowColumns(i), _vectors.RowValues(i), query);
            scores[i] = s > 0 && i != exclude ? s : float.NegativeInfinity;
        }

        n = Math.Min(n, ItemCount);
        var index = new int[n];
        var value = new float[n];
        var count = TopK.Select(scores, n, index, value);
        var result = new ScoredItem[count];
        for (var k = 0; k < count; k++)
        {
            result[k] = new ScoredItem(index[k], value[k]);
        }

        return result;
    }
}

/// <summary>Describes the content model to the registry.</summary>
public sealed class ContentAlgorithm : Algorithm<ContentOptions>
{
    public override string Name => ContentModel.Name;

    public override string Description => "Content-based: TF-IDF over titles, texts, categories and tags; scores new items too";

    protected override IRecommender Fit(TrainingData data, ContentOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new ContentTrainer().Fit(data, options, progress, cancellationToken);
}
