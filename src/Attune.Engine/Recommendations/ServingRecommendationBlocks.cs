using Attune.Core.Expressions;
using Attune.Engine.Campaigns;
using Attune.Engine.Campaigns.Templates;
using Attune.Engine.Profiles;

namespace Attune.Engine.Recommendations;

/// <summary>
/// Fills the <c>{{#recommendations}}</c> blocks of campaign templates from the live recommendation service, so a
/// block obeys the same model, real-time history, consent, filters and diversity as <c>GET /v1/recommendations</c>.
/// </summary>
/// <remarks>
/// Decisions render on a synchronous path, so the block uses what is in memory only
/// (<see cref="RecommendationService.RecommendFromMemory"/>); a user whose history is not in memory gets popular
/// or trending items. A category becomes the filter <c>category contains "X"</c>.
/// </remarks>
public sealed class ServingRecommendationBlocks(RecommendationService service, IProfileStore? profiles = null) : IRecommendationBlocks
{
    public IReadOnlyList<TemplateItem> Recommend(string userId, UserProfile? profile, int count, string? category)
    {
        var filter = category is null ? null : $"category contains {ExpressionPrinter.Quote(category)}";
        var consent = profiles is null || !profiles.IsSuppressed(userId);
        RecommendationPage page;
        try
        {
            page = service.RecommendFromMemory(new RecommendationQuery(userId, count, Filter: filter), consent);
        }
        catch (Exception ex) when (ex is NoActiveModelException or InvalidOperationException or ArgumentException)
        {
            // The interface promises not to throw: a block with nothing to show renders its {{else}} part.
            return [];
        }

        var items = new List<TemplateItem>(page.Items.Count);
        foreach (var i in page.Items)
        {
            if (service.Catalog.Get(i.ItemId) is { } item)
            {
                items.Add(new TemplateItem(item.Id, item.Title, item.Categories, item.Price, i.Score));
            }
        }

        return items;
    }
}
