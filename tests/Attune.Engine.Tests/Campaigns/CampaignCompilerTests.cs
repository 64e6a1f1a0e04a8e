using System.Text.Json;
using Attune.Engine.Campaigns;

namespace Attune.Engine.Tests.Campaigns;

public sealed class CampaignCompilerTests
{
    [Fact]
    public void A_bad_template_is_reported_with_its_variant_index_line_and_column()
    {
        var definition = DecisionFixture.Campaign("c1", templates: ["ok {{user.name}}", "line one\n{{user.name | nope}}"]);

        var (campaign, errors) = CampaignCompiler.Compile(definition);

        Assert.Null(campaign);
        var error = Assert.Single(errors);
        Assert.Equal("variants[1].template", error.Field);
        Assert.StartsWith("line 2, column 15: unknown filter 'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var definition = new CampaignDefinition(
            null, null, null, "fax", "attributes.age >", null,
            [new VariantDefinition("a", "x", null), new VariantDefinition("a", null, null), null],
            null, new ScheduleDefinition(DateTimeOffset.UnixEpoch.AddDays(2), DateTimeOffset.UnixEpoch), 5000,
            new PolicyDefinition("banditos", null), new FrequencyCapDefinition(0, TimeSpan.Zero), "archived");

        var (_, errors) = CampaignCompiler.Compile(definition);

        var fields = errors.Select(e => e.Field).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "id", "placement", "channel", "status", "schedule.end", "priority", "frequencyCap.max", "frequencyCap.period",
                "variants[1].id", "variants[1].template", "variants[2]", "audience", "policy.name",
            },
            fields);
    }

    [Fact]
    public void Policy_options_become_a_checked_spec()
    {
        var options = new Dictionary<string, JsonElement> { ["weights"] = JsonSerializer.SerializeToElement(new[] { 3, 1 }) };
        var definition = DecisionFixture.Campaign("c1") with { Policy = new PolicyDefinition("fixed", options) };

        var (campaign, errors) = CampaignCompiler.Compile(definition);

        Assert.Empty(errors);
        Assert.Equal("fixed:weights=0.75,0.25", campaign!.PolicySpec);
        Assert.Equal(0, campaign.ContextDimension);
    }

    [Fact]
    public void Bad_policy_options_name_the_option()
    {
        var options = new Dictionary<string, JsonElement> { ["alpha"] = JsonSerializer.SerializeToElement(-1) };
        var definition = DecisionFixture.Campaign("c1") with { Policy = new PolicyDefinition("linucb", options) };

        var (_, errors) = CampaignCompiler.Compile(definition);

        var error = Assert.Single(errors);
        Assert.Equal("policy.options", error.Field);
        Assert.Contains("alpha", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Contextual_policies_read_the_decision_features()
    {
        var (campaign, _) = CampaignCompiler.Compile(DecisionFixture.Campaign("c1", policy: "linucb"));

        Assert.Equal(DecisionFeatures.Dimension, campaign!.ContextDimension);
    }

    [Fact]
    public void A_variant_param_the_variant_lacks_is_an_error()
    {
        var definition = DecisionFixture.Campaign("c1", templates: ["{{variant.headline | raw}}"]);

        var (_, errors) = CampaignCompiler.Compile(definition);

        Assert.Equal("variants[0].template", Assert.Single(errors).Field);
    }

    [Fact]
    public void Audience_reads_undeclared_attributes_as_strings_and_declared_ones_by_type()
    {
        var definition = DecisionFixture.Campaign("c1", audience: "attributes.country == \"DE\" and attributes.age >= 18") with
        {
            AttributeTypes = new Dictionary<string, string> { ["age"] = "number" },
        };

        var (campaign, errors) = CampaignCompiler.Compile(definition);

        Assert.Empty(errors);
        Assert.NotNull(campaign!.Audience);
    }
}
