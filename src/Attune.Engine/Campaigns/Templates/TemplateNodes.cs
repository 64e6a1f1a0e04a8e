namespace Attune.Engine.Campaigns.Templates;

/// <summary>Where a token's value comes from. Only <see cref="Variant"/> and <see cref="Campaign"/> are trusted text.</summary>
public enum TemplateRoot
{
    User,
    Profile,
    Predicted,
    Context,
    Variant,
    Campaign,
    Item,
}

/// <summary>A token path such as <c>user.first_name</c>: its root and the rest of the path.</summary>
public sealed record TemplatePath(TemplateRoot Root, string Key)
{
    /// <summary>Campaign-authored values, which <c>raw</c> may leave unescaped.</summary>
    public bool IsTrusted => Root is TemplateRoot.Variant or TemplateRoot.Campaign;

    public override string ToString() => $"{Root.ToString().ToLowerInvariant()}.{Key}";
}

public enum TemplateFilterKind
{
    Default,
    Upper,
    Lower,
    Capitalize,
    Truncate,
    Round,
    Raw,
}

/// <param name="Text">The argument of <c>default</c>.</param>
/// <param name="Number">The argument of <c>truncate</c> and <c>round</c>.</param>
public sealed record TemplateFilter(TemplateFilterKind Kind, string? Text = null, int Number = 0);

internal abstract record TemplateNode;

internal sealed record TextNode(string Text) : TemplateNode;

/// <summary>A value to print: a path or a string literal, then its filters in order.</summary>
internal sealed record ValueNode(TemplatePath? Path, string? Literal, IReadOnlyList<TemplateFilter> Filters, bool Raw) : TemplateNode;

internal sealed record IfNode(TemplatePath Path, bool Negate, IReadOnlyList<TemplateNode> Then, IReadOnlyList<TemplateNode> Else) : TemplateNode;

internal sealed record RecommendationsNode(RecommendationBlock Block, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode> Else) : TemplateNode;

/// <summary>What a <c>recommendations</c> block asks for.</summary>
/// <param name="Count">How many items (1 to <see cref="TemplateLimits.MaxRecommendations"/>).</param>
/// <param name="Category">A category to draw from; null for any.</param>
/// <param name="TopCategory">Draw from the user's top category (<c>category=top</c>).</param>
public sealed record RecommendationBlock(int Count, string? Category, bool TopCategory)
{
    public override string ToString() => $"recommendations n={Count} category={(TopCategory ? "top" : Category ?? "any")}";
}

/// <summary>An item a <c>recommendations</c> block prints (fields <c>item.id</c>, <c>item.title</c>, ...).</summary>
public sealed record TemplateItem(string Id, string? Title, IReadOnlyList<string> Categories, double? Price, double Score);

/// <summary>The values a template reads while rendering; implementations must not throw.</summary>
public interface ITemplateData
{
    /// <summary>The value of <paramref name="path"/>, or <see cref="TemplateValue.Missing"/>.</summary>
    TemplateValue Get(TemplatePath path);

    /// <summary>At most <see cref="RecommendationBlock.Count"/> items for a block; empty when none can be had.</summary>
    IReadOnlyList<TemplateItem> Recommend(RecommendationBlock block);
}

/// <summary>A rendered template.</summary>
/// <param name="Truncated">True when the output hit <see cref="TemplateLimits.MaxOutputLength"/> and was cut at a token boundary.</param>
/// <param name="RecommendedItems">Item ids printed by <c>recommendations</c> blocks, in order.</param>
public sealed record TemplateOutput(string Text, bool Truncated, IReadOnlyList<string> RecommendedItems);
