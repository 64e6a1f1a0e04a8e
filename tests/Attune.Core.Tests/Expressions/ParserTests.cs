using Attune.Core.Expressions;

namespace Attune.Core.Tests.Expressions;

public class ParserTests
{
    [Theory]
    [InlineData("a or b and c", "(a or (b and c))")]
    [InlineData("a and b or c", "((a and b) or c)")]
    [InlineData("not a and b", "((not a) and b)")]
    [InlineData("not a or not b", "((not a) or (not b))")]
    [InlineData("not tags contains \"adult\"", "(not (tags contains \"adult\"))")]
    [InlineData("a == 1 and b < 2", "((a == 1) and (b < 2))")]
    [InlineData("1 + 2 * 3", "(1 + (2 * 3))")]
    [InlineData("(1 + 2) * 3", "((1 + 2) * 3)")]
    [InlineData("1 - 2 - 3", "((1 - 2) - 3)")]
    [InlineData("8 / 4 / 2", "((8 / 4) / 2)")]
    [InlineData("-a * b", "((-a) * b)")]
    [InlineData("a + b < c * d", "((a + b) < (c * d))")]
    [InlineData("x in [1, 2] or y", "((x in [1, 2]) or y)")]
    [InlineData("m[\"k\"] > 0.3", "(m[\"k\"] > 0.3)")]
    [InlineData("lower(t) startsWith \"ab\"", "(lower(t) startsWith \"ab\")")]
    [InlineData("a or b or c", "(a or b or c)")]
    [InlineData("(a or b) or c", "(a or b or c)")]
    [InlineData("x not in [\"a\"]", "(not (x in [\"a\"]))")]
    public void Operators_group_by_the_usual_precedence(string text, string shape) =>
        Assert.Equal(shape, Expr.Shape(text));

    [Theory]
    [InlineData("price<100", "price < 100")]
    [InlineData("((price < 100))", "price < 100")]
    [InlineData("(a and b) and c", "a and b and c")]
    [InlineData("(a or b) and c", "(a or b) and c")]
    [InlineData("not (a and b)", "not (a and b)")]
    [InlineData("not not a", "not not a")]
    [InlineData("1 - (2 - 3)", "1 - (2 - 3)")]
    [InlineData("(1 - 2) - 3", "1 - 2 - 3")]
    [InlineData("-(1 + 2)", "-(1 + 2)")]
    [InlineData("- -1", "--1")]
    [InlineData("(a == b) == c", "(a == b) == c")]
    [InlineData("category in ['shoes','bags']", "category in [\"shoes\", \"bags\"]")]
    [InlineData("x in [-1, 2.50, 1e3]", "x in [-1, 2.5, 1000]")]
    [InlineData("t == \"a\\\"b\\\\c\\n\\u00e9\"", "t == \"a\\\"b\\\\c\\né\"")]
    [InlineData("interests.category[ 'sports' ]>0.3", "interests.category[\"sports\"] > 0.3")]
    [InlineData("days_since( created )<=30", "days_since(created) <= 30")]
    [InlineData("x == null", "x == null")]
    [InlineData("[]", "[]")]
    public void Printer_writes_canonical_text(string text, string canonical)
    {
        var printed = ParsedExpression.Parse(text).ToString();

        Assert.Equal(canonical, printed);
        Assert.Equal(canonical, ParsedExpression.Parse(printed).ToString());
    }

    [Fact]
    public void Nodes_carry_their_positions()
    {
        var root = (LogicalNode)ParsedExpression.Parse("available and price < 100").Root;

        var comparison = (BinaryNode)root.Operands[1];
        Assert.Equal(14, comparison.Position);
        Assert.Equal(11, comparison.Length);
        Assert.Equal(20, comparison.OperatorPosition);
        Assert.Equal(22, comparison.Right.Position);
    }

    [Fact]
    public void Field_paths_may_use_keywords_after_a_dot()
    {
        var node = Assert.IsType<FieldNode>(ParsedExpression.Parse("attributes.in").Root);
        Assert.Equal("attributes.in", node.Path);
    }

    [Fact]
    public void Numbers_are_read_with_the_invariant_culture()
    {
        var node = Assert.IsType<NumberLiteral>(ParsedExpression.Parse("1.5e-3").Root);
        Assert.Equal(0.0015, node.Value);
    }
}
