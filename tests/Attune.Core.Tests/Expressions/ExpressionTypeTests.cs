using Attune.Core.Expressions;

namespace Attune.Core.Tests.Expressions;

public class ExpressionTypeTests
{
    [Theory]
    [InlineData("string")]
    [InlineData("number")]
    [InlineData("bool")]
    [InlineData("time")]
    [InlineData("list<string>")]
    [InlineData("list<number>")]
    [InlineData("map<string, number>")]
    [InlineData("map<string, string>")]
    public void Type_names_round_trip(string name) =>
        Assert.Equal(name, ExpressionType.Parse(name).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("integer")]
    [InlineData("list<bool>")]
    [InlineData("map<number, string>")]
    public void Unknown_type_names_are_refused_with_the_valid_ones(string name)
    {
        var error = Assert.Throws<FormatException>(() => ExpressionType.Parse(name));
        Assert.Contains("list<string>", error.Message, StringComparison.Ordinal);
    }
}
