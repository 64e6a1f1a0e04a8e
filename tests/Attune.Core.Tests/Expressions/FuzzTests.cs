using Attune.Core.Expressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Attune.Core.Tests.Expressions;

/// <summary>
/// Any text either parses, checks, compiles and evaluates without throwing, or fails with an
/// <see cref="ExpressionException"/> whose column lies inside the text (or just past its end).
/// </summary>
public class FuzzTests
{
    private static readonly string[] Valid =
    [
        "tags in [\"shoes\", \"bags\"] or price < 100 and not tags contains \"adult\"",
        "rfm.recency_days <= 30 and interests.category[\"sports\"] > 0.3 and attributes.country == \"DE\"",
        "brand == \"acme\" or (price * 2 - 1 >= 10 and available)",
        "days_since(created) < 30 and len(tags) > 1 and lower(title) startsWith \"tr\"",
        "attributes.langs contains \"de\" and attributes.vip and attributes.age in [18, 21, -1]",
        "labels[\"tier\"] == \"gold\" or exists(attributes.weights) and scores contains 2.5",
        "not (price == null) and brand not in ['a', 'b\\n\\u00e9'] and created > \"2024-01-01\"",
        "-price / 0 + abs(rfm.frequency) != 1e3",
    ];

    private static readonly string[] Fragments =
    [
        " ", " ", "price", "brand", "tags", "title", "created", "available", "rfm.recency_days", "interests.category",
        "attributes.country", "attributes.langs", "labels", "and", "or", "not", "in", "contains", "startsWith", "true",
        "false", "null", "(", ")", "[", "]", ",", ".", "\"", "'", "\\", "\"x\"", "'y'", "==", "!=", "<", "<=", ">", ">=",
        "=", "!", "+", "-", "*", "/", "0", "1", "2.5", "1e3", "1e999", "lower(", "len(", "days_since(", "abs(", "exists(",
        "[\"sports\"]", "\"2024-05-01\"", "\\u00e9", "\u0001", "é", "AND", "#",
    ];

    private static readonly Row[] Rows = [Row.Full, Row.Empty, Row.WrongJson];

    private static readonly ExpressionLimits Roomy = new(MaxLength: 1_000_000, MaxDepth: ExpressionLimits.DepthCeiling, MaxNodes: 1_000_000);

    private static Gen<string> TokenSoup() =>
        Gen.Elements(Fragments).ListOf().Select(parts => string.Concat(parts));

    private static Gen<string> Mutated() =>
        from text in Gen.Elements(Valid)
        from count in Gen.Choose(1, 4)
        from edits in Gen.ListOf(Edit(), count)
        select edits.Aggregate(text, Mutate);

    private static Gen<(int Kind, int At, string Fragment)> Edit() =>
        from kind in Gen.Choose(0, 4)
        from at in Gen.Choose(0, 10_000)
        from fragment in Gen.Elements(Fragments)
        select (kind, at, fragment);

    private static string Mutate(string text, (int Kind, int At, string Fragment) edit)
    {
        var at = text.Length == 0 ? 0 : edit.At % (text.Length + 1);
        var rest = text.Length - at;
        return edit.Kind switch
        {
            0 => text.Remove(at, Math.Min(rest, 1 + (edit.At % 5))),
            1 => text.Insert(at, edit.Fragment),
            2 => text[..at],
            3 => rest > 0 ? text.Remove(at, 1).Insert(at, edit.Fragment) : text + edit.Fragment,
            _ => text.Insert(at, text[at..Math.Min(text.Length, at + 1 + (edit.At % 7))]),
        };
    }

    [Property(MaxTest = 2000)]
    public Property Random_text_parses_or_fails_with_a_position() =>
        Prop.ForAll(Arb.From(ArbMap.Default.GeneratorFor<string>()), text => Outcome(text ?? ""));

    [Property(MaxTest = 3000)]
    public Property Token_soup_parses_or_fails_with_a_position() =>
        Prop.ForAll(Arb.From(TokenSoup()), Outcome);

    [Property(MaxTest = 3000)]
    public Property Mutated_valid_expressions_parse_or_fail_with_a_position() =>
        Prop.ForAll(Arb.From(Mutated()), Outcome);

    [Fact]
    public void The_seed_expressions_are_valid()
    {
        foreach (var text in Valid)
        {
            var checkedExpression = ParsedExpression.Parse(text).Check(Row.Binder.Schema);
            Assert.Equal(ExpressionType.Bool, checkedExpression.ResultType);
        }
    }

    [Property(MaxTest = 1000)]
    public Property Generated_well_typed_expressions_compile_and_survive_printing() =>
        Prop.ForAll(Arb.From(Condition(4)), text =>
        {
            var original = Row.Binder.CompilePredicate(text, new ExpressionOptions(Roomy, Expr.Clock));
            var reprinted = Row.Binder.CompilePredicate(original.Text, new ExpressionOptions(Roomy, Expr.Clock));
            return Rows.All(row => original.Matches(row) == reprinted.Matches(row));
        });

    [Property(MaxTest = 3000)]
    public Property Mutated_generated_expressions_parse_or_fail_with_a_position() =>
        Prop.ForAll(
            Arb.From(
                from text in Condition(3)
                from count in Gen.Choose(1, 2)
                from edits in Gen.ListOf(Edit(), count)
                select edits.Aggregate(text, Mutate)),
            Outcome);

    private static readonly string[] NumberFields =
        ["price", "rfm.recency_days", "rfm.frequency", "attributes.age", "interests.category[\"sports\"]", "attributes.weights[\"a\"]", "len(tags)", "len(title)", "days_since(created)", "days_since(attributes.since)"];

    private static readonly string[] TextFields = ["title", "brand", "attributes.country", "labels[\"tier\"]", "lower(title)", "\"acme\"", "\"DE\"", "\"\""];

    private static readonly string[] BoolFields = ["available", "attributes.vip", "true", "false", "exists(price)", "exists(attributes.langs)", "brand == null", "created != null"];

    private static Gen<string> Number(int depth) =>
        depth <= 0
            ? Gen.OneOf(Gen.Elements(NumberFields), Gen.Choose(-5, 100).Select(i => (i / 2.0).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            : Gen.OneOf(
                Number(0),
                from a in Number(depth - 1)
                from op in Gen.Elements("+", "-", "*", "/")
                from b in Number(depth - 1)
                select $"({a} {op} {b})",
                Number(depth - 1).Select(a => $"-{a}"),
                Number(depth - 1).Select(a => $"abs({a})"));

    private static Gen<string> Condition(int depth)
    {
        var leaf = Gen.OneOf(
            Gen.Elements(BoolFields),
            from a in Number(1)
            from op in Gen.Elements("==", "!=", "<", "<=", ">", ">=")
            from b in Number(1)
            select $"{a} {op} {b}",
            from a in Gen.Elements(TextFields)
            from op in Gen.Elements("==", "!=", "<", ">=", "contains", "startsWith")
            from b in Gen.Elements(TextFields)
            select $"{a} {op} {b}",
            from a in Gen.Elements("brand", "attributes.country", "tags", "attributes.langs")
            from items in Gen.Elements("[]", "[\"acme\"]", "[\"DE\", \"sale\"]", "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"outdoor\"]")
            select $"{a} in {items}",
            from a in Gen.Elements("price", "attributes.age", "len(tags)")
            from items in Gen.Elements("[]", "[80]", "[1, 34, -2]", "[1,2,3,4,5,6,7,8,9,34]")
            select $"{a} in {items}",
            from a in Gen.Elements("tags", "attributes.langs", "interests.category", "labels", "title")
            from b in Gen.Elements(TextFields)
            select $"{a} contains {b}",
            Gen.Elements("scores contains 2.5", "2.5 in scores", "tags in attributes.langs", "tags startsWith \"out\"", "created > \"2024-01-01\"", "attributes.since < created"));
        if (depth <= 0)
        {
            return leaf;
        }

        return Gen.OneOf(
            leaf,
            Condition(depth - 1).Select(a => $"not {a}"),
            Condition(depth - 1).Select(a => $"not ({a})"),
            from a in Condition(depth - 1)
            from op in Gen.Elements("and", "or")
            from b in Condition(depth - 1)
            select $"({a} {op} {b})",
            from a in Condition(depth - 1)
            from op in Gen.Elements("and", "or")
            from b in Condition(depth - 1)
            select $"{a} {op} {b}");
    }

    private static bool Outcome(string text)
    {
        ParsedExpression parsed;
        try
        {
            parsed = ParsedExpression.Parse(text);
        }
        catch (ExpressionException e)
        {
            return InRange(e, text);
        }

        var printed = parsed.ToString();
        if (ParsedExpression.Parse(printed, Roomy).ToString() != printed)
        {
            return false;
        }

        try
        {
            var checkedExpression = parsed.Check(Row.Binder.Schema);
            if (checkedExpression.ResultType.Kind == TypeKind.Number)
            {
                var number = checkedExpression.CompileNumber(Row.Binder, Expr.Clock);
                foreach (var row in Rows)
                {
                    _ = number.Evaluate(row);
                }
            }
            else
            {
                var predicate = checkedExpression.CompilePredicate(Row.Binder, Expr.Clock);
                foreach (var row in Rows)
                {
                    _ = predicate.Matches(row);
                }
            }

            return true;
        }
        catch (ExpressionException e)
        {
            return InRange(e, text);
        }
    }

    private static bool InRange(ExpressionException e, string text) =>
        e.Column >= 1 && e.Column <= text.Length + 1 && e.Message.StartsWith($"column {e.Column}: ", StringComparison.Ordinal);
}
