using Attune.Engine.Campaigns.Templates;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Attune.Engine.Tests.Campaigns;

/// <summary>Random templates over random values: rendering never throws, stays bounded, and never lets user HTML through.</summary>
public sealed class TemplateFuzzTests
{
    private const int MaxOutput = 2_000;
    private const string Marker = "<x-user";

    private static readonly string[] Pieces =
    [
        "Hello ", "<b>", "</b>", "{{", "}}", "{{user.name}}", "{{ user.name | default: \"there\" }}", "{{user.bio | upper}}",
        "{{user.tags}}", "{{profile.top_category}}", "{{predicted.score | round: 2}}", "{{context.page | truncate: 5}}",
        "{{variant.banner | raw}}", "{{user.name | raw}}", "{{#if user.name}}", "{{else}}", "{{/if}}", "{{#unless user.bio}}",
        "{{/unless}}", "{{#recommendations n=3}}", "{{#recommendations n=20 category=top}}", "{{/recommendations}}",
        "{{item.title}}", "{{item.price}}", "{{item.position}}", "{{! c }}", "{{\"lit<>\" | raw}}", "\n", "|", "\"", "'",
        "{{user.", "{{#", "{{/", "{{ | }}", "{{user.name | default}}", "{{user.name | truncate: 0}}", "{{#recommendations n=x}}",
    ];

    private static readonly string[] UserValues =
    [
        "Ann", Marker + ">", Marker + " onload='x'>", "\"" + Marker + "\"", "&" + Marker, string.Empty, new string('<', 300) + Marker,
    ];

    [Property(MaxTest = 400)]
    public Property Rendering_never_throws_is_bounded_and_escapes_user_values() =>
        Prop.ForAll(
            Gen.ArrayOf(Gen.Elements(Pieces)).Select(p => string.Concat(p)).ToArbitrary(),
            Gen.Elements(UserValues).ToArbitrary(),
            Gen.Choose(0, 25).ToArbitrary(),
            (text, userValue, items) =>
            {
                Template template;
                try
                {
                    template = Template.Parse(text, new TemplateLimits(MaxOutputLength: MaxOutput));
                }
                catch (TemplateException)
                {
                    return true;
                }

                var data = new MapData
                {
                    ["user.name"] = userValue,
                    ["user.bio"] = userValue + userValue,
                    ["user.tags"] = (IReadOnlyList<string>)[userValue, "b"],
                    ["profile.top_category"] = userValue,
                    ["predicted.score"] = 0.5,
                    ["context.page"] = userValue,
                    ["variant.banner"] = "<i>trusted</i>",
                    Items = [.. Enumerable.Range(0, items).Select(i => new TemplateItem($"i{i}", userValue, [userValue], i, 1))],
                };

                var output = template.Render(data);
                return output.Text.Length <= MaxOutput && !output.Text.Contains(Marker, StringComparison.Ordinal);
            });
}
