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
