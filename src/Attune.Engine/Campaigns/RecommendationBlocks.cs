using Attune.Core.Expressions;
using Attune.Engine.Campaigns.Templates;
using Attune.Engine.Profiles;
using Attune.Engine.Serving;

namespace Attune.Engine.Campaigns;

/// <summary>Fills <c>{{#recommendations}}</c> blocks of campaign templates. Implementations must not throw.</summary>
public interface IRecommendationBlocks
{
    /// <param name="category">The category to draw from (already resolved from <c>category=top</c>); null for any.</param>
    IReadOnlyList<TemplateItem> Recommend(string userId, UserProfile? profile, int count, string? category);
}

/// <summary>No recommendations: blocks render their <c>{{else}}</c> part. Used when no serving pipeline is configured.</summary>
public sealed class NoRecommendationBlocks : IRecommendationBlocks
{
    public static NoRecommendationBlocks Instance { get; } = new();

    public IReadOnlyList<TemplateItem> Recommend(string userId, UserProfile? profile, int count, string? category) => [];
}

/// <summary>
/// Fills recommendation blocks through the serving <see cref="RecommendationPipeline"/>: the candidate sources come
/// from <paramref name="sources"/> (the active model's components for the user), and a category becomes the filter
/// <c>category contains "X"</c>, so blocks obey the same business rules, filters and diversity as the API.
/// </summary>
public sealed class PipelineRecommendationBlocks(
    Func<RecommendationPipeline?> pipeline,
    Func<ServingCatalog?> catalog,
    Func<string, IReadOnlyList<CandidateSource>> sources) : IRecommendationBlocks
{
    public IReadOnlyList<TemplateItem> Recommend(string userId, UserProfile? profile, int count, string? category)
    {
        if (pipeline() is not { } p || catalog() is not { } items)
        {
            return [];
        }

        var filter = category is null ? null : $"category contains {ExpressionPrinter.Quote(category)}";

        // Rank, not Recommend: a block needs no cursor, so the ranked list is not cached for paging; and only the
        // block's first ranks, which cost a fraction of the whole list.
        var ranked = p.Rank(new RecommendationRequest(string.Empty, sources(userId), count, Filter: filter), count);
        var n = Math.Min(count, ranked.Length);
        var result = new List<TemplateItem>(n);
        for (var i = 0; i < n; i++)
        {
            if (items[ranked[i].Item] is { } item)
            {
                result.Add(new TemplateItem(item.Id, item.Title, item.Categories, item.Price, ranked[i].Score));
            }
        }

        return result;
    }
}
