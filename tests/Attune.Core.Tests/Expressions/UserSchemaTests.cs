using System.Text.Json;
using Attune.Core.Expressions;

namespace Attune.Core.Tests.Expressions;

public class UserSchemaTests
{
    private static User Person(string id, string attributes, bool marketing = false) => new(
        id,
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(attributes),
        new Consent(new ConsentChoice(true, null), new ConsentChoice(marketing, null)),
        Created: new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static readonly User[] Users =
    [
        Person("u1", """{"country":"DE","age":34,"interests":["sports","books"]}""", marketing: true),
        Person("u2", """{"country":"FR","age":19}"""),
        Person("u3", "{}"),
    ];

    [Theory]
    [InlineData("attributes.country == \"DE\" and consent.marketing", new[] { "u1" })]
    [InlineData("attributes.country in [\"DE\", \"FR\"] and attributes.age >= 18", new[] { "u1", "u2" })]
    [InlineData("attributes.interests contains \"sports\"", new[] { "u1" })]
    [InlineData("not exists(attributes.country)", new[] { "u3" })]
    [InlineData("consent.personalization and created < \"2024-06-01\"", new[] { "u1", "u2", "u3" })]
    public void Segments_over_users_select_the_right_people(string text, string[] expected)
    {
        var segment = UserSchema.Create(sample: Users).CompilePredicate(text);

        Assert.Equal(expected, Users.Where(segment.Matches).Select(u => u.Id).ToArray());
    }

    [Fact]
    public void Attribute_types_are_inferred_or_declared()
    {
        var binder = UserSchema.Create(
            new Dictionary<string, ExpressionType> { ["age"] = ExpressionType.String },
            Users);

        Assert.Equal(ExpressionType.String, binder.Schema.Fields["attributes.country"]);
        Assert.Equal(ExpressionType.String, binder.Schema.Fields["attributes.age"]);
        Assert.Equal(ExpressionType.StringList, binder.Schema.Fields["attributes.interests"]);
    }
}
