using Attune.Algorithms.Data;

namespace Attune.Algorithms.Abstractions;

/// <summary>An item index with its score.</summary>
public readonly record struct ScoredItem(int Item, float Score);

/// <summary>
/// A trained, immutable model. Users and items are the dense indices of the training data's id maps.
/// Thread-safe: any number of threads may score at once.
/// </summary>
public interface IRecommender
{
    /// <summary>The algorithm's stable name, e.g. "als", "ease", "item-knn".</summary>
    string Algorithm { get; }

    /// <summary>The options it was trained with, as a one-line string listing every hyper-parameter.</summary>
    string Options { get; }

    int UserCount { get; }

    int ItemCount { get; }

    /// <summary>
    /// Writes a score for every item (higher is better) for a user seen in training.
    /// Returns false, leaving <paramref name="scores"/> untouched, when the model knows nothing of the user.
    /// </summary>
    bool TryScore(int user, Span<float> scores);
}

/// <summary>A model that can score for a user it never saw, from that user's raw history.</summary>
public interface IFoldIn
{
    /// <summary>Scores every item for a history of (item, weight) pairs, oldest first.</summary>
    void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, Span<float> scores);
}

/// <summary>A model that can say which items are like a given one.</summary>
public interface ISimilarItems
{
    /// <summary>The most similar items to <paramref name="item"/>, best first, never the item itself.</summary>
    IReadOnlyList<ScoredItem> SimilarItems(int item, int n);
}

/// <summary>A model that can be written to the versioned binary model format.</summary>
public interface IPersistableModel
{
    /// <summary>Writes the payload (the header and checksum are written by <see cref="Serialization.ModelFile"/>).</summary>
    void WritePayload(BinaryWriter writer);
}

/// <summary>Turns training data into a model. One trainer per algorithm.</summary>
public interface ITrainer<in TOptions>
{
    IRecommender Fit(TrainingData data, TOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <param name="Step">Iterations or epochs done.</param>
/// <param name="Loss">The training loss after the step, when the algorithm has one; NaN otherwise.</param>
public readonly record struct TrainingProgress(string Stage, int Step, int TotalSteps, double Loss = double.NaN);
