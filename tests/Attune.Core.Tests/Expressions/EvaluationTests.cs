namespace Attune.Core.Tests.Expressions;

public class EvaluationTests
{
    private static readonly Row Full = Row.Full;
    private static readonly Row Empty = Row.Empty;

    [Theory]
    [InlineData("price == 80", true)]
    [InlineData("price != 80", false)]
    [InlineData("price < 100", true)]
    [InlineData("price <= 80", true)]
    [InlineData("price > 80", false)]
    [InlineData("price >= 80.0", true)]
    [InlineData("100 > price", true)]
    [InlineData("80 == price", true)]
    [InlineData("brand == \"acme\"", true)]
    [InlineData("\"acme\" == brand", true)]
    [InlineData("brand == \"ACME\"", false)]
    [InlineData("lower(title) == \"trail runner\"", true)]
    [InlineData("brand != \"other\"", true)]
    [InlineData("brand < \"b\"", true)]
    [InlineData("title == brand", false)]
    [InlineData("available", true)]
    [InlineData("available == true", true)]
    [InlineData("available != false", true)]
    [InlineData("not available", false)]
    [InlineData("created > \"2024-04-30\"", true)]
    [InlineData("created == \"2024-05-01T00:00:00Z\"", true)]
    [InlineData("created == \"2024-05-01T02:00:00+02:00\"", true)]
    [InlineData("created < \"2024-05-01T01:59:59+02:00\"", false)]
    [InlineData("\"2025-01-01\" > created", true)]
    public void Comparisons_follow_their_operators(string text, bool expected) =>
        Assert.Equal(expected, Expr.Eval(text, Full));

    [Theory]
    [InlineData("brand in [\"acme\", \"other\"]", true)]
    [InlineData("brand in [\"other\"]", false)]
    [InlineData("brand in []", false)]
    [InlineData("price in [10, 80]", true)]
    [InlineData("price in [10, -80]", false)]
    [InlineData("tags in [\"sale\", \"x\"]", true)]
    [InlineData("tags in [\"x\", \"y\"]", false)]
    [InlineData("brand in [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"acme\"]", true)]
    [InlineData("price in [1,2,3,4,5,6,7,8,9,10,80]", true)]
    [InlineData("tags in [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"sale\"]", true)]
    [InlineData("\"outdoor\" in tags", true)]
    [InlineData("2.5 in scores", true)]
    [InlineData("3 in scores", false)]
    [InlineData("tags contains \"sale\"", true)]
    [InlineData("tags contains \"Sale\"", false)]
    [InlineData("scores contains 1", true)]
    [InlineData("title contains \"Run\"", true)]
    [InlineData("title contains \"run\"", false)]
    [InlineData("interests.category contains \"sports\"", true)]
    [InlineData("interests.category contains \"music\"", false)]
    [InlineData("labels contains \"tier\"", true)]
    [InlineData("title startsWith \"Trail\"", true)]
    [InlineData("title startsWith \"Runner\"", false)]
    [InlineData("tags startsWith \"out\"", true)]
    [InlineData("tags startsWith \"x\"", false)]
    [InlineData("brand not in [\"acme\"]", false)]
    [InlineData("tags not contains \"adult\"", true)]
    public void Membership_operators_work_on_lists_strings_and_maps(string text, bool expected) =>
        Assert.Equal(expected, Expr.Eval(text, Full));

    [Theory]
    [InlineData("price + 20 == 100", true)]
    [InlineData("price - 100 == -20", true)]
    [InlineData("price * 2 / 4 == 40", true)]
    [InlineData("-price < 0", true)]
    [InlineData("2 + 3 * 4 == 14", true)]
    [InlineData("(2 + 3) * 4 == 20", true)]
    [InlineData("10 - 4 - 3 == 3", true)]
    [InlineData("abs(0 - price) == 80", true)]
    [InlineData("len(title) == 12", true)]
    [InlineData("len(tags) == 2", true)]
    [InlineData("len(interests.category) == 2", true)]
    [InlineData("len([]) == 0", true)]
    [InlineData("interests.category[\"sports\"] > 0.3", true)]
    [InlineData("interests.category[brand] > 0", false)]
    [InlineData("labels[\"tier\"] == \"gold\"", true)]
    [InlineData("days_since(created) == 31", true)]
    public void Arithmetic_functions_and_lookups_compute_values(string text, bool expected) =>
        Assert.Equal(expected, Expr.Eval(text, Full));

    [Theory]
    [InlineData("true or false and false", true)]
    [InlineData("(true or false) and false", false)]
    [InlineData("not false and false", false)]
    [InlineData("not (false and false)", true)]
    [InlineData("false or false or true", true)]
    [InlineData("true and true and true and false", false)]
    [InlineData("false or false or false or true", true)]
    public void Logic_follows_precedence(string text, bool expected) =>
        Assert.Equal(expected, Expr.Eval(text, Empty));

    [Theory]
    [InlineData("price == 80")]
    [InlineData("price != 80")]
    [InlineData("price < 100")]
    [InlineData("price >= 0")]
    [InlineData("brand == \"acme\"")]
    [InlineData("brand != \"acme\"")]
    [InlineData("brand < \"zzz\"")]
    [InlineData("brand in [\"acme\"]")]
    [InlineData("tags contains \"sale\"")]
    [InlineData("tags in [\"sale\"]")]
    [InlineData("title contains \"\"")]
    [InlineData("title startsWith \"\"")]
    [InlineData("available")]
    [InlineData("available == false")]
    [InlineData("available != true")]
    [InlineData("created < \"2100-01-01\"")]
    [InlineData("created != \"2100-01-01\"")]
    [InlineData("days_since(created) > -1")]
    [InlineData("interests.category[\"sports\"] >= 0")]
    [InlineData("price + 1 > 0")]
    [InlineData("len(tags) >= 0")]
    [InlineData("lower(brand) == lower(brand)")]
    [InlineData("attributes.country == \"DE\"")]
    [InlineData("attributes.country != \"DE\"")]
    [InlineData("attributes.age > 0")]
    [InlineData("attributes.vip")]
    [InlineData("attributes.since < \"2100-01-01\"")]
    [InlineData("attributes.langs contains \"de\"")]
    [InlineData("attributes.country in [\"DE\", \"AT\"]")]
    [InlineData("exists(price)")]
    [InlineData("price != null")]
    public void Comparisons_with_a_missing_value_are_false(string text)
    {
        Assert.False(Expr.Eval(text, Empty));
        Assert.False(Expr.Eval(text, Row.WrongJson));
    }

    [Theory]
    [InlineData("not price < 100")]
    [InlineData("not available")]
    [InlineData("price == null")]
    [InlineData("brand == null")]
    [InlineData("tags == null")]
    [InlineData("interests.category == null")]
    [InlineData("attributes.country == null")]
    [InlineData("null == created")]
    [InlineData("not exists(attributes.vip)")]
    [InlineData("not (attributes.country == \"DE\")")]
    public void Not_and_null_checks_are_true_for_a_missing_value(string text) =>
        Assert.True(Expr.Eval(text, Empty));

    [Fact]
    public void Missing_numbers_propagate_through_arithmetic_as_missing()
    {
        Assert.Null(Expr.Number("price * 2 + 1", Empty));
        Assert.Null(Expr.Number("interests.category[\"sports\"] * 10", Empty));
        Assert.Null(Expr.Number("days_since(created)", Empty));
        Assert.Equal(161, Expr.Number("price * 2 + 1", Full));
    }

    [Fact]
    public void Division_by_zero_gives_a_missing_value()
    {
        Assert.Null(Expr.Number("price / 0", Full));
        Assert.False(Expr.Eval("price / 0 > 0", Full));
        Assert.False(Expr.Eval("price / 0 != 1", Full));
    }

    [Fact]
    public void Present_values_pass_null_checks()
    {
        Assert.True(Expr.Eval("price != null and brand != null and tags != null and exists(created)", Full));
        Assert.True(Expr.Eval("exists(attributes.country) and exists(attributes.langs) and exists(interests.category)", Full));
        Assert.False(Expr.Eval("price == null", Full));
    }

    [Fact]
    public void Json_attributes_read_as_their_declared_types()
    {
        Assert.True(Expr.Eval(
            "attributes.country == \"DE\" and attributes.age >= 18 and attributes.vip and attributes.since < created " +
            "and attributes.langs contains \"en\" and attributes.weights[\"a\"] == 1.5 and len(attributes.langs) == 2",
            Full));
        Assert.True(Expr.Eval("attributes.country in [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"DE\"]", Full));
        Assert.True(Expr.Eval("attributes.country != \"AT\" and lower(attributes.country) == \"de\"", Full));
    }

    [Fact]
    public void A_segment_over_a_profile_evaluates()
    {
        const string Segment = "rfm.recency_days <= 30 and interests.category[\"sports\"] > 0.3 and attributes.country == \"DE\"";

        Assert.True(Expr.Eval(Segment, Full));
        Assert.False(Expr.Eval(Segment, Full with { RecencyDays = 45 }));
        Assert.False(Expr.Eval(Segment, Empty));
    }

    [Fact]
    public void Days_since_reads_the_injected_clock()
    {
        var predicate = Row.Binder.CompilePredicate(
            "days_since(created) < 7",
            new Attune.Core.Expressions.ExpressionOptions(Clock: new FixedClock(new DateTimeOffset(2024, 5, 3, 0, 0, 0, TimeSpan.Zero))));

        Assert.True(predicate.Matches(Full));
        Assert.Equal(31, Expr.Number("days_since(created)", Full));
    }

    [Fact]
    public void Numeric_expressions_compile_for_boost_weights()
    {
        var weight = Row.Binder.CompileNumber("1 + interests.category[\"sports\"] * 2");

        Assert.Equal(2.2, weight.Evaluate(Full)!.Value, 10);
        Assert.Equal("1 + interests.category[\"sports\"] * 2", weight.Text);
    }
}
