using System.Text.Json;
using Attune.Core.Expressions;

namespace Attune.Core.Tests.Expressions;

/// <summary>A record with one field of every type; null means missing.</summary>
public sealed record Row(
    double? Price = null,
    string? Title = null,
    string? Brand = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<double>? Scores = null,
    bool? Available = null,
    DateTimeOffset? Created = null,
    double? RecencyDays = null,
    IReadOnlyDictionary<string, double>? Interests = null,
    IReadOnlyDictionary<string, string>? Labels = null,
    string? AttributesJson = null)
{
    public IReadOnlyDictionary<string, JsonElement> Attributes { get; } =
        AttributesJson is null
            ? new Dictionary<string, JsonElement>()
            : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(AttributesJson)!;

    public static RecordBinder<Row> Binder { get; } = new RecordBinder<Row>()
        .AddNumber("price", r => r.Price)
        .AddString("title", r => r.Title)
        .AddString("brand", r => r.Brand)
        .AddStringList("tags", r => r.Tags)
        .AddNumberList("scores", r => r.Scores)
        .AddBool("available", r => r.Available)
        .AddTime("created", r => r.Created)
        .AddNumber("rfm.recency_days", r => r.RecencyDays)
        .AddNumber("rfm.frequency", r => null)
        .AddNumberMap("interests.category", r => r.Interests)
        .AddStringMap("labels", r => r.Labels)
        .AddJson("attributes.country", ExpressionType.String, r => Attribute(r, "country"))
        .AddJson("attributes.age", ExpressionType.Number, r => Attribute(r, "age"))
        .AddJson("attributes.vip", ExpressionType.Bool, r => Attribute(r, "vip"))
        .AddJson("attributes.since", ExpressionType.Time, r => Attribute(r, "since"))
        .AddJson("attributes.langs", ExpressionType.StringList, r => Attribute(r, "langs"))
        .AddJson("attributes.weights", ExpressionType.NumberMap, r => Attribute(r, "weights"))
        .AddUnavailable("attributes.size", "its values are both number and string; declare its type");

    /// <summary>A row with every field set.</summary>
    public static Row Full { get; } = new(
        Price: 80,
        Title: "Trail Runner",
        Brand: "acme",
        Tags: ["outdoor", "sale"],
        Scores: [1, 2.5],
        Available: true,
        Created: new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero),
        RecencyDays: 12,
        Interests: new Dictionary<string, double> { ["sports"] = 0.6, ["books"] = 0.1 },
        Labels: new Dictionary<string, string> { ["tier"] = "gold" },
        AttributesJson: """{"country":"DE","age":34,"vip":true,"since":"2023-01-15T00:00:00Z","langs":["de","en"],"weights":{"a":1.5}}""");

    /// <summary>A row with every field missing.</summary>
    public static Row Empty { get; } = new();

    /// <summary>A row whose JSON attributes have the wrong JSON kinds.</summary>
    public static Row WrongJson { get; } = new(
        AttributesJson: """{"country":5,"age":"old","vip":"yes","since":"not a time","langs":"de","weights":[1]}""");

    private static JsonElement Attribute(Row r, string name) => r.Attributes.TryGetValue(name, out var e) ? e : default;
}

/// <summary>A clock that always reads the same instant.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal static class Expr
{
    public static readonly FixedClock Clock = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));

    public static bool Eval(string text, Row row) =>
        Row.Binder.CompilePredicate(text, new ExpressionOptions(Clock: Clock)).Matches(row);

    public static double? Number(string text, Row row) =>
        Row.Binder.CompileNumber(text, new ExpressionOptions(Clock: Clock)).Evaluate(row);

    public static ExpressionException Error(string text, ExpressionLimits? limits = null) =>
        Assert.Throws<ExpressionException>(() => Row.Binder.CompilePredicate(text, new ExpressionOptions(limits, Clock)));

    /// <summary>The tree with every node parenthesized, to show how precedence grouped it.</summary>
    public static string Shape(string text) => Shape(ParsedExpression.Parse(text).Root);

    private static string Shape(SyntaxNode node) => node switch
    {
        LogicalNode l => "(" + string.Join(l.Operator == LogicalOperator.And ? " and " : " or ", l.Operands.Select(Shape)) + ")",
        BinaryNode b => $"({Shape(b.Left)} {Op(b.Operator)} {Shape(b.Right)})",
        NotNode n => $"(not {Shape(n.Operand)})",
        NegateNode n => $"(-{Shape(n.Operand)})",
        IndexNode i => $"{Shape(i.Target)}[{Shape(i.Key)}]",
        CallNode c => $"{c.Name}({string.Join(", ", c.Arguments.Select(Shape))})",
        _ => ExpressionPrinter.Print(node),
    };

    private static string Op(BinaryOperator op) => op switch
    {
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.In => "in",
        BinaryOperator.Contains => "contains",
        BinaryOperator.StartsWith => "startsWith",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        _ => "/",
    };
}
