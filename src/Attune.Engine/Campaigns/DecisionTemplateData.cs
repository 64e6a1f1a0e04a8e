using System.Text.Json;
using Attune.Engine.Campaigns.Templates;

namespace Attune.Engine.Campaigns;

/// <summary>The values one decision's template reads: the user, their profile, the request context and the variant.</summary>
internal sealed class DecisionTemplateData(
    DecisionSubject subject,
    DecisionRequest request,
    CompiledCampaign campaign,
    CompiledVariant variant,
    IRecommendationBlocks blocks) : ITemplateData
{
    public TemplateValue Get(TemplatePath path) => path.Root switch
    {
        TemplateRoot.User => path.Key == "id" ? TemplateValue.Of(subject.UserId) : Json(subject.Attributes, path.Key),
        TemplateRoot.Profile => Profile(path.Key),
        TemplateRoot.Predicted => TemplateValue.Of(subject.Profile?.Predicted(path.Key)),
        TemplateRoot.Context => request.Context is { } context ? Json(context, path.Key) : TemplateValue.Missing,
        TemplateRoot.Variant => TemplateValue.Of(variant.Params.GetValueOrDefault(path.Key)),
        TemplateRoot.Campaign => path.Key switch
        {
            "id" => TemplateValue.Of(campaign.Id),
            "name" => TemplateValue.Of(campaign.Definition.Name ?? campaign.Id),
            "placement" => TemplateValue.Of(campaign.Placement),
            _ => TemplateValue.Missing,
        },
        _ => TemplateValue.Missing,
    };

    public IReadOnlyList<TemplateItem> Recommend(RecommendationBlock block)
    {
        var category = block.TopCategory ? TopKey("category") : block.Category;
        if (block.TopCategory && category is null)
        {
            return [];
        }

        return blocks.Recommend(subject.UserId, subject.Profile, block.Count, category);
    }

    private TemplateValue Profile(string key)
    {
        if (subject.Profile is not { } p)
        {
            return TemplateValue.Missing;
        }

        switch (key)
        {
            case "top_category":
                return TemplateValue.Of(TopKey("category"));
            case "interests":
                return TemplateValue.Of(TopKeys("category"));
            case "lifecycle":
                return TemplateValue.Of(Profiles.LifecycleStages.Name(p.Lifecycle));
            case "orders":
                return TemplateValue.Of(p.OrderCount);
            case "revenue":
                return TemplateValue.Of(p.Revenue);
            case "preferred_channel":
                return TemplateValue.Of(p.PreferredChannel);
            case "preferred_device":
                return TemplateValue.Of(p.PreferredDevice);
            case "rfm_cell":
                return TemplateValue.Of(p.Rfm.Cell);
        }

        const string interests = "interests.";
        if (key.StartsWith(interests, StringComparison.Ordinal))
        {
            return TemplateValue.Of(TopKeys(key[interests.Length..]));
        }

        const string top = "top_";
        return key.StartsWith(top, StringComparison.Ordinal) ? TemplateValue.Of(TopKey(key[top.Length..])) : TemplateValue.Missing;
    }

    private string? TopKey(string field) =>
        subject.Profile?.Interests.TryGetValue(field, out var s) == true && s.Top.Count > 0 ? s.Top[0].Key : null;

    private IReadOnlyList<string>? TopKeys(string field)
    {
        if (subject.Profile?.Interests.TryGetValue(field, out var s) != true)
        {
            return null;
        }

        var keys = new string[Math.Min(5, s!.Top.Count)];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = s.Top[i].Key;
        }

        return keys;
    }

    private static TemplateValue Json(IReadOnlyDictionary<string, JsonElement> values, string key)
    {
        if (!values.TryGetValue(key, out var e))
        {
            return TemplateValue.Missing;
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return TemplateValue.Of(e.GetString());
            case JsonValueKind.Number:
                return TemplateValue.Of(e.GetDouble());
            case JsonValueKind.True:
                return TemplateValue.Of(true);
            case JsonValueKind.False:
                return TemplateValue.Of(false);
            case JsonValueKind.Array:
                var list = new List<string>();
                foreach (var x in e.EnumerateArray())
                {
                    if (x.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                    {
                        list.Add(x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText());
                    }
                }

                return TemplateValue.Of(list);
            default:
                return TemplateValue.Missing;
        }
    }
}
