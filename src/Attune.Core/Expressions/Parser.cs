using System.Runtime.CompilerServices;

namespace Attune.Core.Expressions;

/// <summary>
/// Recursive-descent parser. Precedence, lowest first: <c>or</c>, <c>and</c>, <c>not</c>, comparisons
/// (<c>== != &lt; &lt;= &gt; &gt;= in contains startsWith</c>, not chainable), <c>+ -</c>, <c>* /</c>,
/// unary <c>-</c>, map lookup <c>[key]</c>.
/// </summary>
/// <remarks>
/// Every recursion goes through <see cref="Enter"/>, which enforces <see cref="ExpressionLimits.MaxDepth"/>
/// and checks the remaining stack, so hostile nesting is a parse error rather than a stack overflow.
/// Cost is linear in the text length.
/// </remarks>
internal sealed class Parser
{
    private static readonly HashSet<string> Keywords =
        new(["and", "or", "not", "in", "contains", "startsWith", "true", "false", "null"], StringComparer.Ordinal);

    private readonly List<Token> _tokens;
    private readonly ExpressionLimits _limits;
    private readonly Dictionary<SyntaxNode, int> _depth = new(ReferenceEqualityComparer.Instance);
    private int _index;
    private int _nesting;
    private int _nodes;

    private Parser(List<Token> tokens, ExpressionLimits limits)
    {
        _tokens = tokens;
        _limits = limits;
    }

    private Token Current => _tokens[_index];

    public static SyntaxNode Parse(string text, ExpressionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits.Validate();
        if (text.Length > limits.MaxLength)
        {
            throw new ExpressionException(limits.MaxLength, $"the expression is longer than {limits.MaxLength} characters (limit MaxLength)");
        }

        var tokens = Lexer.Tokenize(text);
        if (tokens[0].Kind == TokenKind.End)
        {
            throw new ExpressionException(0, "the expression is empty");
        }

        var parser = new Parser(tokens, limits);
        var root = parser.ParseOr();
        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.TrailingError();
        }

        return root;
    }

    internal static bool IsKeyword(string word) => Keywords.Contains(word);

    private SyntaxNode ParseOr() => ParseLogical(LogicalOperator.Or);

    private SyntaxNode ParseLogical(LogicalOperator op)
    {
        var word = Operators.Text(op);
        var first = op == LogicalOperator.Or ? ParseLogical(LogicalOperator.And) : ParseNot();
        if (!Current.IsWord(word))
        {
            return first;
        }

        var operands = new List<SyntaxNode>();
        AddFlattened(operands, first, op);
        while (Current.IsWord(word))
        {
            Advance();
            var next = op == LogicalOperator.Or ? ParseLogical(LogicalOperator.And) : ParseNot();
            AddFlattened(operands, next, op);
        }

        var last = operands[^1];
        return Track(new LogicalNode(first.Position, last.End - first.Position, op, operands), operands);
    }

    private static void AddFlattened(List<SyntaxNode> operands, SyntaxNode node, LogicalOperator op)
    {
        if (node is LogicalNode inner && inner.Operator == op)
        {
            operands.AddRange(inner.Operands);
        }
        else
        {
            operands.Add(node);
        }
    }

    private SyntaxNode ParseNot()
    {
        if (!Current.IsWord("not"))
        {
            return ParseComparison();
        }

        var not = Advance();
        Enter(not.Position);
        var operand = ParseNot();
        Leave();
        return Track(new NotNode(not.Position, operand.End - not.Position, operand), operand);
    }

    private SyntaxNode ParseComparison()
    {
        var left = ParseAdditive();
        var negated = false;
        var notPosition = Current.Position;
        if (Current.IsWord("not") && TryComparison(_tokens[_index + 1], out var afterNot) && afterNot is BinaryOperator.In or BinaryOperator.Contains or BinaryOperator.StartsWith)
        {
            Advance();
            negated = true;
        }

        if (!TryComparison(Current, out var op))
        {
            return left;
        }

        var opToken = Advance();
        var right = ParseAdditive();
        SyntaxNode node = Track(new BinaryNode(left.Position, right.End - left.Position, op, opToken.Position, left, right), left, right);
        if (negated)
        {
            node = Track(new NotNode(notPosition, right.End - notPosition, node), node);
        }

        if (TryComparison(Current, out _))
        {
            throw new ExpressionException(Current.Position, $"comparisons cannot be chained; join them with 'and' (found {Current.Describe()} after a comparison)");
        }

        return node;
    }

    private static bool TryComparison(Token token, out BinaryOperator op)
    {
        op = token.Kind switch
        {
            TokenKind.Equal => BinaryOperator.Equal,
            TokenKind.NotEqual => BinaryOperator.NotEqual,
            TokenKind.Less => BinaryOperator.Less,
            TokenKind.LessOrEqual => BinaryOperator.LessOrEqual,
            TokenKind.Greater => BinaryOperator.Greater,
            TokenKind.GreaterOrEqual => BinaryOperator.GreaterOrEqual,
            TokenKind.Word when token.IsWord("in") => BinaryOperator.In,
            TokenKind.Word when token.IsWord("contains") => BinaryOperator.Contains,
            TokenKind.Word when token.IsWord("startsWith") => BinaryOperator.StartsWith,
            _ => (BinaryOperator)(-1),
        };
        return (int)op >= 0;
    }

    private SyntaxNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var opToken = Advance();
            var op = opToken.Kind == TokenKind.Plus ? BinaryOperator.Add : BinaryOperator.Subtract;
            var right = ParseMultiplicative();
            left = Track(new BinaryNode(left.Position, right.End - left.Position, op, opToken.Position, left, right), left, right);
        }

        return left;
    }

    private SyntaxNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash)
        {
            var opToken = Advance();
            var op = opToken.Kind == TokenKind.Star ? BinaryOperator.Multiply : BinaryOperator.Divide;
            var right = ParseUnary();
            left = Track(new BinaryNode(left.Position, right.End - left.Position, op, opToken.Position, left, right), left, right);
        }

        return left;
    }

    private SyntaxNode ParseUnary()
    {
        if (Current.Kind != TokenKind.Minus)
        {
            return ParsePostfix();
        }

        var minus = Advance();
        Enter(minus.Position);
        var operand = ParseUnary();
        Leave();
        return Track(new NegateNode(minus.Position, operand.End - minus.Position, operand), operand);
    }

    private SyntaxNode ParsePostfix()
    {
        var node = ParsePrimary();
        while (Current.Kind == TokenKind.LeftBracket)
        {
            var open = Advance();
            Enter(open.Position);
            var key = ParseOr();
            var close = Expect(TokenKind.RightBracket, $"']' to close the '[' at column {open.Position + 1}");
            Leave();
            node = Track(new IndexNode(node.Position, close.Position + 1 - node.Position, node, key), node, key);
        }

        return node;
    }

    private SyntaxNode ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return Track(new NumberLiteral(token.Position, token.Length, token.Number));
            case TokenKind.String:
                Advance();
                return Track(new StringLiteral(token.Position, token.Length, token.Value!));
            case TokenKind.LeftParen:
                Advance();
                Enter(token.Position);
                var inner = ParseOr();
                Expect(TokenKind.RightParen, $"')' to close the '(' at column {token.Position + 1}");
                Leave();
                return inner;
            case TokenKind.LeftBracket:
                return ParseList();
            case TokenKind.Word:
                return ParseWord();
            default:
                throw new ExpressionException(token.Position, $"expected a value (a field, a literal, a function call, '(' or '[') but found {token.Describe()}");
        }
    }

    private SyntaxNode ParseWord()
    {
        var token = Advance();
        switch (token.Text)
        {
            case "true":
                return Track(new BoolLiteral(token.Position, token.Length, true));
            case "false":
                return Track(new BoolLiteral(token.Position, token.Length, false));
            case "null":
                return Track(new NullLiteral(token.Position, token.Length));
            case var k when Keywords.Contains(k):
                throw new ExpressionException(token.Position, $"expected a value (a field, a literal, a function call, '(' or '[') but found the operator '{k}'");
        }

        if (Current.Kind == TokenKind.LeftParen)
        {
            return ParseCall(token);
        }

        var path = token.Text;
        var end = token.Position + token.Length;
        while (Current.Kind == TokenKind.Dot)
        {
            Advance();
            var segment = Expect(TokenKind.Word, "a field name after '.'");
            path += "." + segment.Text;
            end = segment.Position + segment.Length;
        }

        return Track(new FieldNode(token.Position, end - token.Position, path));
    }

    private CallNode ParseCall(Token name)
    {
        var open = Advance();
        Enter(open.Position);
        var args = new List<SyntaxNode>();
        if (Current.Kind != TokenKind.RightParen)
        {
            args.Add(ParseOr());
            while (Current.Kind == TokenKind.Comma)
            {
                Advance();
                args.Add(ParseOr());
            }
        }

        var close = Expect(TokenKind.RightParen, $"',' or ')' to close the call of '{name.Text}' at column {open.Position + 1}");
        Leave();
        return Track(new CallNode(name.Position, close.Position + 1 - name.Position, name.Text, args), args);
    }

    private ListLiteral ParseList()
    {
        var open = Advance();
        var items = new List<SyntaxNode>();
        if (Current.Kind != TokenKind.RightBracket)
        {
            items.Add(ParseListItem(items.Count));
            while (Current.Kind == TokenKind.Comma)
            {
                Advance();
                items.Add(ParseListItem(items.Count));
            }
        }

        var close = Expect(TokenKind.RightBracket, $"',' or ']' to close the list at column {open.Position + 1}");
        return Track(new ListLiteral(open.Position, close.Position + 1 - open.Position, items));
    }

    private SyntaxNode ParseListItem(int count)
    {
        var token = Current;
        if (count >= _limits.MaxListItems)
        {
            throw new ExpressionException(token.Position, $"the list has more than {_limits.MaxListItems} items (limit MaxListItems)");
        }

        if (token.Kind == TokenKind.String)
        {
            Advance();
            return new StringLiteral(token.Position, token.Length, token.Value!);
        }

        if (token.Kind == TokenKind.Number)
        {
            Advance();
            return new NumberLiteral(token.Position, token.Length, token.Number);
        }

        if (token.Kind == TokenKind.Minus && _tokens[_index + 1].Kind == TokenKind.Number)
        {
            Advance();
            var number = Advance();
            return new NumberLiteral(token.Position, number.Position + number.Length - token.Position, -number.Number);
        }

        throw new ExpressionException(token.Position, $"list items must be string or number literals, but found {token.Describe()}");
    }

    private Token Advance()
    {
        var token = _tokens[_index];
        if (token.Kind != TokenKind.End)
        {
            _index++;
        }

        return token;
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind)
        {
            throw new ExpressionException(Current.Position, $"expected {what} but found {Current.Describe()}");
        }

        return Advance();
    }

    private void Enter(int position)
    {
        _nesting++;
        if (_nesting > _limits.MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw TooDeep(position);
        }
    }

    private void Leave() => _nesting--;

    private ExpressionException TooDeep(int position) =>
        new(position, $"the expression is nested more than {_limits.MaxDepth} levels deep (limit MaxDepth)");

    private T Track<T>(T node, params ReadOnlySpan<SyntaxNode> children)
        where T : SyntaxNode
    {
        if (++_nodes > _limits.MaxNodes)
        {
            throw new ExpressionException(node.Position, $"the expression has more than {_limits.MaxNodes} parts (limit MaxNodes)");
        }

        var depth = 0;
        foreach (var child in children)
        {
            depth = Math.Max(depth, _depth.GetValueOrDefault(child));
        }

        _depth[node] = depth + 1;
        if (depth + 1 > _limits.MaxDepth)
        {
            throw TooDeep(node.Position);
        }

        return node;
    }

    private T Track<T>(T node, List<SyntaxNode> children)
        where T : SyntaxNode => Track(node, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(children));

    private ExpressionException TrailingError()
    {
        var token = Current;
        if (token.Kind == TokenKind.RightParen)
        {
            return new ExpressionException(token.Position, "found ')' without a matching '('");
        }

        var proper = token.Kind == TokenKind.Word
            ? Keywords.FirstOrDefault(k => string.Equals(k, token.Text, StringComparison.OrdinalIgnoreCase))
            : null;
        if (proper is not null && proper != token.Text)
        {
            return new ExpressionException(token.Position, $"expected an operator or the end of the expression but found '{token.Text}' (write operators as '{proper}')");
        }

        return new ExpressionException(token.Position, $"expected an operator or the end of the expression but found {token.Describe()}");
    }
}
