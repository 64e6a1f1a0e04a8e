using Attune.Engine.Campaigns.Templates;

namespace Attune.Engine.Tests.Campaigns;

public sealed class TemplateTests
{
    [Fact]
    public void Render_user_attribute_is_html_escaped()
    {
        var template = Template.Parse("<p>Hi {{user.first_name}}</p>");

        var output = template.Render(new MapData { ["user.first_name"] = "<script>alert('x')</script>" });

        Assert.Equal("<p>Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>", output.Text);
    }

    [Fact]
    public void Default_filter_fills_a_missing_value()
    {
        var template = Template.Parse("Hello {{ user.first_name | default: \"there\" }}!");

        Assert.Equal("Hello there!", template.Render(new MapData()).Text);
        Assert.Equal("Hello Ann!", template.Render(new MapData { ["user.first_name"] = "Ann" }).Text);
        Assert.Equal("Hello there!", template.Render(new MapData { ["user.first_name"] = string.Empty }).Text);
    }

    [Fact]
    public void Filters_apply_in_order()
    {
        var template = Template.Parse("{{user.name | lower | capitalize}} {{predicted.purchase_7d | round: 2}} {{user.city | upper | truncate: 3}}");

        var output = template.Render(new MapData { ["user.name"] = "aNN", ["predicted.purchase_7d"] = 0.12345, ["user.city"] = "berlin" });

        Assert.Equal("Ann 0.12 BER…", output.Text);
    }

    [Fact]
    public void Raw_prints_trusted_campaign_text_unescaped()
    {
        var template = Template.Parse("{{variant.banner | raw}}|{{variant.banner}}|{{\"<b>x</b>\" | raw}}");

        var output = template.Render(new MapData { ["variant.banner"] = "<em>Sale</em>" });

        Assert.Equal("<em>Sale</em>|&lt;em&gt;Sale&lt;/em&gt;|<b>x</b>", output.Text);
    }

    [Theory]
    [InlineData("{{user.first_name | raw}}")]
    [InlineData("{{profile.top_category | raw}}")]
    [InlineData("{{context.page | raw}}")]
    public void Raw_on_a_user_value_is_refused_at_parse_time(string text)
    {
        var ex = Assert.Throws<TemplateException>(() => Template.Parse(text));

        Assert.Contains("raw", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(1, ex.Line);
    }

    [Theory]
    [InlineData("Hi\n  {{user.first_name | shout}}", 2, 23, "unknown filter 'shout'")]
    [InlineData("{{usr.name}}", 1, 3, "did you mean 'user'")]
    [InlineData("a\nb\n{{#if user.vip}}x", 3, 1, "never closed")]
    [InlineData("{{/if}}", 1, 1, "never opened")]
    [InlineData("{{#recommendations n=99}}{{/recommendations}}", 1, 22, "n must be")]
    [InlineData("{{item.title}}", 1, 3, "only available inside a recommendations block")]
    [InlineData("x {{ user.name", 1, 3, "never closed")]
    [InlineData("{{#if user.a}}{{/recommendations}}", 1, 15, "does not match")]
    public void Parse_errors_name_line_and_column(string text, int line, int column, string reason)
    {
        var ex = Assert.Throws<TemplateException>(() => Template.Parse(text));

        Assert.Equal((line, column), (ex.Line, ex.Column));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"line {line}, column {column}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void If_unless_and_else_branch_on_presence()
    {
        var template = Template.Parse("{{#if user.vip}}VIP{{else}}guest{{/if}}/{{#unless user.name}}anon{{/unless}}");

        Assert.Equal("VIP/anon", template.Render(new MapData { ["user.vip"] = true }).Text);
        Assert.Equal("guest/", template.Render(new MapData { ["user.vip"] = false, ["user.name"] = "x" }).Text);
    }

    [Fact]
    public void Recommendations_block_repeats_its_body_per_item_and_escapes_item_fields()
    {
        var template = Template.Parse("{{#recommendations n=2 category=top}}<li>{{item.position}}. {{item.title}} {{item.price}}</li>{{else}}none{{/recommendations}}");
        var data = new MapData
        {
            Items =
            [
                new TemplateItem("a", "Shoe <red>", ["shoes"], 10, 0.9),
                new TemplateItem("b", "Boot", ["shoes"], 12.5, 0.8),
                new TemplateItem("c", "Sock", ["shoes"], 2, 0.1),
            ],
        };

        var output = template.Render(data);

        Assert.Equal("<li>1. Shoe &lt;red&gt; 10</li><li>2. Boot 12.5</li>", output.Text);
        Assert.Equal(["a", "b"], output.RecommendedItems);
        Assert.Equal(new RecommendationBlock(2, null, TopCategory: true), data.Asked.Single());
        Assert.Equal("none", template.Render(new MapData()).Text);
    }

    [Fact]
    public void Output_stops_at_the_limit_at_a_token_boundary()
    {
        var template = Template.Parse("{{#recommendations n=20}}[{{item.title}}]{{/recommendations}}", new TemplateLimits(MaxOutputLength: 50));
        var data = new MapData { Items = [.. Enumerable.Range(0, 20).Select(i => new TemplateItem($"i{i}", "<<<<", [], null, 0))] };

        var output = template.Render(data);

        Assert.True(output.Truncated);
        Assert.True(output.Text.Length <= 50);
        Assert.DoesNotContain("<", output.Text, StringComparison.Ordinal);
        Assert.Equal("[&lt;&lt;&lt;&lt;][&lt;&lt;&lt;&lt;][", output.Text);
    }

    [Fact]
    public void A_template_longer_than_the_limit_is_refused()
    {
        var ex = Assert.Throws<TemplateException>(() => Template.Parse(new string('x', 101), new TemplateLimits(MaxTemplateLength: 100)));

        Assert.Contains("at most 100", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_recommendation_blocks_are_refused()
    {
        Assert.Throws<TemplateException>(() => Template.Parse("{{#recommendations}}{{#recommendations}}{{/recommendations}}{{/recommendations}}"));
    }

    [Fact]
    public void Comments_print_nothing_and_string_literals_may_hold_braces()
    {
        var template = Template.Parse("a{{! note }}b{{\"}}\"}}c");

        Assert.Equal("ab}}c", template.Render(new MapData()).Text);
    }
}

/// <summary>Template values from a dictionary keyed by the token path.</summary>
internal sealed class MapData : Dictionary<string, object>, ITemplateData
{
    public MapData()
        : base(StringComparer.Ordinal)
    {
    }

    public IReadOnlyList<TemplateItem> Items { get; init; } = [];

    public List<RecommendationBlock> Asked { get; } = [];

    public TemplateValue Get(TemplatePath path) => TryGetValue(path.ToString(), out var v)
        ? v switch
        {
            string s => TemplateValue.Of(s),
            double d => TemplateValue.Of(d),
            int i => TemplateValue.Of(i),
            bool b => TemplateValue.Of(b),
            IReadOnlyList<string> l => TemplateValue.Of(l),
            _ => TemplateValue.Missing,
        }
        : TemplateValue.Missing;

    public IReadOnlyList<TemplateItem> Recommend(RecommendationBlock block)
    {
        Asked.Add(block);
        return Items;
    }
}
