namespace Attune.Engine.Campaigns.Templates;

/// <summary>Bounds on what a template may cost: its size when parsed and its output and work when rendered.</summary>
/// <param name="MaxTemplateLength">Longest template text, in characters.</param>
/// <param name="MaxNodes">Most tags and text runs in one template.</param>
/// <param name="MaxOutputLength">Longest rendered output, in characters; rendering stops (and says so) beyond.</param>
/// <param name="MaxRecommendations">Largest <c>n</c> of a <c>recommendations</c> block.</param>
/// <param name="MaxDepth">Deepest nesting of <c>if</c> and <c>recommendations</c> sections.</param>
public sealed record TemplateLimits(
    int MaxTemplateLength = 32_768,
    int MaxNodes = 2_000,
    int MaxOutputLength = 16_384,
    int MaxRecommendations = 20,
    int MaxDepth = 8)
{
    public static TemplateLimits Default { get; } = new();

    public override string ToString() =>
        $"TemplateLimits(MaxTemplateLength={MaxTemplateLength}, MaxNodes={MaxNodes}, MaxOutputLength={MaxOutputLength}, " +
        $"MaxRecommendations={MaxRecommendations}, MaxDepth={MaxDepth})";
}
