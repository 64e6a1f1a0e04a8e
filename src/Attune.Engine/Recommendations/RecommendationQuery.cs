using Attune.Engine.Serving;

namespace Attune.Engine.Recommendations;

/// <summary>What a client asks for (the query string of <c>GET /v1/recommendations/{userId}</c>, or one user of a batch).</summary>
/// <param name="Rules">Per-request boosts, buries and pins, applied after the configured ones.</param>
/// <param name="DiversityLambda">MMR trade-off override (1 = relevance only).</param>
/// <param name="MaxPerCategory">Category cap override (0 = none).</param>
/// <param name="ExplorationShare">Exploration share override (0 to 0.5).</param>
/// <param name="Exclude">Item ids never to return.</param>
/// <param name="Category">Context category: cold-start and popularity candidates come from it.</param>
public sealed record RecommendationQuery(
    string UserId,
    int Count = 10,
    string? Filter = null,
    IReadOnlyList<BusinessRule>? Rules = null,
    double? DiversityLambda = null,
    int? MaxPerCategory = null,
    double? ExplorationShare = null,
    IReadOnlyList<string>? Exclude = null,
    string? Category = null);

/// <summary>Why a list is not personalized.</summary>
public static class Fallbacks
{
    /// <summary>The user withdrew personalization consent.</summary>
    public const string Consent = "consent";

    /// <summary>Nothing is known about the user yet.</summary>
    public const string ColdStart = "cold-start";

    /// <summary>No model has been trained yet: live popularity.</summary>
    public const string NoModel = "no-model";
}

/// <summary>A page of recommendations.</summary>
/// <param name="ModelVersion">The model version that ranked the list; null when none was active.</param>
/// <param name="Personalized">False when the list is the same for everyone in the context (see <paramref name="Fallback"/>).</param>
/// <param name="Fallback">Why the list is not personalized: <see cref="Fallbacks"/>; null when it is.</param>
public sealed record RecommendationPage(
    string RecommendationId,
    string? ModelVersion,
    bool Personalized,
    string? Fallback,
    IReadOnlyList<RecommendedItem> Items,
    string? NextCursor)
{
    /// <summary>
    /// A slot for the serialized <see cref="Items"/>, shared by every page answered from the same cached list, so that
    /// a writer renders them once; null when the page is not cached.
    /// </summary>
    public System.Runtime.CompilerServices.StrongBox<byte[]?>? RenderedItems { get; init; }
}

/// <summary>Items like one item, or the popular/trending items.</summary>
/// <param name="Source">Which model answered: <c>item-knn</c>, <c>main</c>, <c>content</c>, <c>sequence</c>, <c>popularity</c>, <c>trending</c>, <c>live</c>.</param>
public sealed record ItemList(string? ModelVersion, string Source, IReadOnlyList<ListedItem> Items);

public sealed record ListedItem(string ItemId, double Score, Reason? Reason);
