using Attune.Core.Expressions;

namespace Attune.Core.Tests.Expressions;

public class LimitsTests
{
    [Fact]
    public void Text_longer_than_the_limit_is_rejected_at_the_limit()
    {
        var error = Expr.Error("price < 100 and available", new ExpressionLimits(MaxLength: 10));

        Assert.Equal(11, error.Column);
        Assert.Equal("the expression is longer than 10 characters (limit MaxLength)", error.Reason);
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("not ", "")]
    [InlineData("-", "")]
    [InlineData("abs(", ")")]
    [InlineData("interests.category[lower(", ")]")]
    public void Deep_nesting_is_a_parse_error_not_a_stack_overflow(string open, string close)
    {
        var depth = 100_000;
        var text = string.Concat(Enumerable.Repeat(open, depth)) + "price" + string.Concat(Enumerable.Repeat(close, depth));

        var error = Assert.Throws<ExpressionException>(() => ParsedExpression.Parse(text, new ExpressionLimits(MaxLength: text.Length)));

        Assert.Contains("nested more than 64 levels deep (limit MaxDepth)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_at_the_ceiling_still_parses_checks_and_runs()
    {
        var limits = new ExpressionLimits(MaxDepth: ExpressionLimits.DepthCeiling, MaxNodes: 10_000);
        var text = string.Concat(Enumerable.Repeat("not (", 120)) + "price < 100" + new string(')', 120);

        var predicate = Row.Binder.CompilePredicate(text, new ExpressionOptions(limits));

        Assert.True(predicate.Matches(Row.Full));
    }

    [Fact]
    public void Long_left_deep_arithmetic_is_bounded_by_depth()
    {
        var text = string.Join(" + ", Enumerable.Repeat("price", 100)) + " > 0";

        var error = Expr.Error(text);

        Assert.Contains("limit MaxDepth", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_and_chains_stay_shallow()
    {
        var text = string.Join(" or ", Enumerable.Range(0, 300).Select(i => $"price == {i}"));

        var predicate = Row.Binder.CompilePredicate(text);

        Assert.True(predicate.Matches(Row.Full));
        Assert.False(predicate.Matches(Row.Empty));
    }

    [Fact]
    public void Too_many_nodes_is_rejected_where_the_limit_is_crossed()
    {
        var error = Expr.Error("price == 1 or price == 2 or price == 3", new ExpressionLimits(MaxNodes: 5));

        Assert.Equal("the expression has more than 5 parts (limit MaxNodes)", error.Reason);
        Assert.Equal(15, error.Column);
    }

    [Fact]
    public void Too_many_list_items_is_rejected_at_the_first_extra_item()
    {
        var error = Expr.Error("price in [1, 2, 3]", new ExpressionLimits(MaxListItems: 2));

        Assert.Equal("the list has more than 2 items (limit MaxListItems)", error.Reason);
        Assert.Equal(17, error.Column);
    }

    [Fact]
    public void Limits_outside_their_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParsedExpression.Parse("a", new ExpressionLimits(MaxDepth: 1000)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParsedExpression.Parse("a", new ExpressionLimits(MaxLength: 0)));
    }

    [Fact]
    public void Limits_list_every_setting()
    {
        Assert.Equal(
            "ExpressionLimits(MaxLength=8192, MaxDepth=64, MaxNodes=1000, MaxListItems=1000)",
            ExpressionLimits.Default.ToString());
    }
}
