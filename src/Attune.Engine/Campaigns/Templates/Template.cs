using System.Globalization;
using System.Text;

namespace Attune.Engine.Campaigns.Templates;

/// <summary>
/// A parsed template: campaign text with personalization tokens. Parse once (when the campaign is saved), render
/// per decision. Rendering runs no code, escapes every value for HTML unless the value is campaign text marked
/// <c>raw</c>, never throws, and stops at <see cref="TemplateLimits.MaxOutputLength"/> characters.
/// </summary>
/// <remarks>
/// Work per render is O(nodes x (1 + n)) where n is the largest <c>recommendations</c> count: blocks do not nest and
/// there are no other loops, so the cost is bounded by the template's size, checked at parse time.
/// Immutable and thread-safe.
/// </remarks>
public sealed class Template
{
    private readonly IReadOnlyList<TemplateNode> _nodes;

    private Template(string text, IReadOnlyList<TemplateNode> nodes, TemplateLimits limits)
    {
        Text = text;
        _nodes = nodes;
        Limits = limits;
        var paths = new List<TemplatePath>();
        var blocks = new List<RecommendationBlock>();
        Collect(nodes, paths, blocks);
        Paths = paths;
        Blocks = blocks;
    }

    public string Text { get; }

    public TemplateLimits Limits { get; }

    /// <summary>Every token path the template reads (for validation and documentation).</summary>
    public IReadOnlyList<TemplatePath> Paths { get; }

    /// <summary>Every <c>recommendations</c> block, in order.</summary>
    public IReadOnlyList<RecommendationBlock> Blocks { get; }

    /// <summary>Parses <paramref name="text"/>; a <see cref="TemplateException"/> names the line and column of the first problem.</summary>
    public static Template Parse(string text, TemplateLimits? limits = null)
    {
        limits ??= TemplateLimits.Default;
        return new Template(text, TemplateParser.Parse(text, limits), limits);
    }

    public TemplateOutput Render(ITemplateData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var state = new RenderState(new StringBuilder(Math.Min(Text.Length + 64, Limits.MaxOutputLength)), Limits.MaxOutputLength, data);
        Render(_nodes, state, null);
        return new TemplateOutput(state.Output.ToString(), state.Truncated, state.Items ?? (IReadOnlyList<string>)[]);
    }

    public override string ToString() => Text;

    private sealed class RenderState(StringBuilder output, int max, ITemplateData data)
    {
        public StringBuilder Output { get; } = output;

        public int Max { get; } = max;

        public ITemplateData Data { get; } = data;

        public bool Truncated { get; set; }

        public List<string>? Items { get; set; }
    }

    private sealed record ItemScope(TemplateItem Item, int Position);

    private static void Render(IReadOnlyList<TemplateNode> nodes, RenderState state, ItemScope? item)
    {
        foreach (var node in nodes)
        {
            if (state.Truncated)
            {
                return;
            }

            switch (node)
            {
                case TextNode text:
                    Append(state, text.Text, escape: false);
                    break;
                case ValueNode value:
                    var (rendered, trusted) = Evaluate(value, state.Data, item);
                    Append(state, rendered, escape: !(value.Raw && trusted));
                    break;
                case IfNode condition:
                    var truthy = Lookup(condition.Path, state.Data, item).IsTruthy;
                    Render(truthy != condition.Negate ? condition.Then : condition.Else, state, item);
                    break;
                case RecommendationsNode block:
                    RenderBlock(block, state);
                    break;
            }
        }
    }

    private static void RenderBlock(RecommendationsNode block, RenderState state)
    {
        var items = state.Data.Recommend(block.Block);
        if (items is not { Count: > 0 })
        {
            Render(block.Else, state, null);
            return;
        }

        var count = Math.Min(items.Count, block.Block.Count);
        for (var i = 0; i < count && !state.Truncated; i++)
        {
            (state.Items ??= []).Add(items[i].Id);
            Render(block.Body, state, new ItemScope(items[i], i + 1));
        }
    }

    private static void Append(RenderState state, string text, bool escape)
    {
        var length = escape ? HtmlText.EscapedLength(text) : text.Length;
        if (state.Output.Length + length > state.Max)
        {
            // Cut at a token boundary: never half an entity or half of a trusted tag.
            state.Truncated = true;
            return;
        }

        if (escape)
        {
            HtmlText.AppendEscaped(state.Output, text);
        }
        else
        {
            state.Output.Append(text);
        }
    }

    private static (string Text, bool Trusted) Evaluate(ValueNode node, ITemplateData data, ItemScope? item)
    {
        var value = node.Path is { } path ? Lookup(path, data, item) : TemplateValue.Of(node.Literal);
        var trusted = node.Path is null || node.Path.IsTrusted;
        string? text = null;
        foreach (var filter in node.Filters)
        {
            switch (filter.Kind)
            {
                case TemplateFilterKind.Default:
                    if (text is null ? value.IsEmpty : text.Length == 0)
                    {
                        text = filter.Text!;
                        trusted = true;
                    }

                    break;
                case TemplateFilterKind.Round:
                    if (text is null && value.Kind == TemplateValueKind.Number && double.IsFinite(value.Number))
                    {
                        text = Math.Round(value.Number, filter.Number, MidpointRounding.AwayFromZero)
                            .ToString("F" + filter.Number.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                    }

                    break;
                case TemplateFilterKind.Upper:
                    text = (text ?? value.Render()).ToUpperInvariant();
                    break;
                case TemplateFilterKind.Lower:
                    text = (text ?? value.Render()).ToLowerInvariant();
                    break;
                case TemplateFilterKind.Capitalize:
                    var s = text ?? value.Render();
                    text = s.Length == 0 ? s : string.Concat(s[..1].ToUpperInvariant(), s.AsSpan(1));
                    break;
                case TemplateFilterKind.Truncate:
                    var t = text ?? value.Render();
                    text = t.Length <= filter.Number ? t : string.Concat(t.AsSpan(0, SafeCut(t, filter.Number)), "…");
                    break;
            }
        }

        return (text ?? value.Render(), trusted);
    }

    private static int SafeCut(string text, int length) =>
        length > 0 && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;

    private static TemplateValue Lookup(TemplatePath path, ITemplateData data, ItemScope? item)
    {
        if (path.Root != TemplateRoot.Item)
        {
            return data.Get(path);
        }

        if (item is null)
        {
            return TemplateValue.Missing;
        }

        var i = item.Item;
        return path.Key switch
        {
            "id" => TemplateValue.Of(i.Id),
            "title" => TemplateValue.Of(i.Title),
            "price" => TemplateValue.Of(i.Price),
            "category" => TemplateValue.Of(i.Categories.Count > 0 ? i.Categories[0] : null),
            "categories" => TemplateValue.Of(i.Categories),
            "score" => TemplateValue.Of(i.Score),
            "position" => TemplateValue.Of(item.Position),
            _ => TemplateValue.Missing,
        };
    }

    private static void Collect(IReadOnlyList<TemplateNode> nodes, List<TemplatePath> paths, List<RecommendationBlock> blocks)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case ValueNode { Path: { } path }:
                    paths.Add(path);
                    break;
                case IfNode condition:
                    paths.Add(condition.Path);
                    Collect(condition.Then, paths, blocks);
                    Collect(condition.Else, paths, blocks);
                    break;
                case RecommendationsNode block:
                    blocks.Add(block.Block);
                    Collect(block.Body, paths, blocks);
                    Collect(block.Else, paths, blocks);
                    break;
            }
        }
    }
}
