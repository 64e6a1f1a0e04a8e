namespace Attune.Core.Expressions;

/// <summary>An expression's syntax tree, parsed once; <see cref="ToString"/> gives its canonical text.</summary>
public sealed class ParsedExpression
{
    private ParsedExpression(string text, SyntaxNode root)
    {
        Text = text;
        Root = root;
    }

    /// <summary>The text as written.</summary>
    public string Text { get; }

    public SyntaxNode Root { get; }

    /// <summary>Parses <paramref name="text"/>; any problem, including a violated limit, is an <see cref="ExpressionException"/>.</summary>
    public static ParsedExpression Parse(string text, ExpressionLimits? limits = null) =>
        new(text, Parser.Parse(text, limits ?? ExpressionLimits.Default));

    /// <summary>Types every node against <paramref name="schema"/>; throws <see cref="ExpressionException"/> on a type error.</summary>
    public CheckedExpression Check(ExpressionSchema schema)
    {
        var (types, times) = TypeChecker.Check(Root, schema);
        return new CheckedExpression(this, schema, types, times);
    }

    public override string ToString() => ExpressionPrinter.Print(Root);
}

/// <summary>A parsed expression whose every node has a type; ready to compile against a matching binder.</summary>
public sealed class CheckedExpression
{
    private readonly Dictionary<SyntaxNode, ExpressionType> _types;
    private readonly Dictionary<SyntaxNode, DateTimeOffset> _times;

    internal CheckedExpression(
        ParsedExpression parsed,
        ExpressionSchema schema,
        Dictionary<SyntaxNode, ExpressionType> types,
        Dictionary<SyntaxNode, DateTimeOffset> times)
    {
        Parsed = parsed;
        Schema = schema;
        _types = types;
        _times = times;
    }

    public ParsedExpression Parsed { get; }

    public ExpressionSchema Schema { get; }

    public ExpressionType ResultType => _types[Parsed.Root];

    /// <summary>The type the checker gave a node of this expression's tree.</summary>
    public ExpressionType TypeOf(SyntaxNode node) => _types[node];

    internal bool TryGetTime(SyntaxNode node, out DateTimeOffset time) => _times.TryGetValue(node, out time);

    /// <summary>Compiles a condition into a delegate tree; throws <see cref="ExpressionException"/> when the expression is not a bool.</summary>
    public ExpressionPredicate<TRecord> CompilePredicate<TRecord>(RecordBinder<TRecord> binder, TimeProvider? clock = null)
    {
        Require(ExpressionType.Bool, "a condition (bool)");
        var compiler = new ExpressionCompiler<TRecord>(this, binder, clock ?? TimeProvider.System);
        return new ExpressionPredicate<TRecord>(ToString(), compiler.Condition(Parsed.Root));
    }

    /// <summary>Compiles a numeric expression; throws <see cref="ExpressionException"/> when the expression is not a number.</summary>
    public ExpressionNumber<TRecord> CompileNumber<TRecord>(RecordBinder<TRecord> binder, TimeProvider? clock = null)
    {
        Require(ExpressionType.Number, "a number");
        var compiler = new ExpressionCompiler<TRecord>(this, binder, clock ?? TimeProvider.System);
        return new ExpressionNumber<TRecord>(ToString(), compiler.Number(Parsed.Root));
    }

    public override string ToString() => Parsed.ToString();

    private void Require(ExpressionType type, string what)
    {
        if (!ResultType.Equals(type))
        {
            throw new ExpressionException(Parsed.Root.Position, $"the expression is {ResultType.Describe()}, but {what} is needed here");
        }
    }
}

/// <summary>A compiled condition. <see cref="Matches"/> never throws for any record the binder's getters can read.</summary>
public sealed class ExpressionPredicate<TRecord>
{
    private readonly Func<TRecord, bool> _evaluate;

    internal ExpressionPredicate(string text, Func<TRecord, bool> evaluate)
    {
        Text = text;
        _evaluate = evaluate;
    }

    /// <summary>The canonical text, for logs and UIs.</summary>
    public string Text { get; }

    public bool Matches(TRecord record) => _evaluate(record);

    /// <summary>The compiled delegate, for callers that want to skip the wrapper call.</summary>
    public Func<TRecord, bool> AsFunc() => _evaluate;

    public override string ToString() => Text;
}

/// <summary>A compiled numeric expression; a missing input, or a division by zero, gives null.</summary>
public sealed class ExpressionNumber<TRecord>
{
    private readonly Func<TRecord, double> _evaluate;

    internal ExpressionNumber(string text, Func<TRecord, double> evaluate)
    {
        Text = text;
        _evaluate = evaluate;
    }

    public string Text { get; }

    public double? Evaluate(TRecord record)
    {
        var value = _evaluate(record);
        return double.IsNaN(value) ? null : value;
    }

    public override string ToString() => Text;
}
