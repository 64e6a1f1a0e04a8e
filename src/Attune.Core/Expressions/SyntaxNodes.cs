namespace Attune.Core.Expressions;

/// <summary>A node of the syntax tree; <see cref="Position"/> is the 0-based offset of its first character.</summary>
/// <remarks>Nodes compare by reference: two equal-looking nodes at different places are different nodes.</remarks>
public abstract class SyntaxNode(int position, int length)
{
    public int Position { get; } = position;

    public int Length { get; } = length;

    public int End => Position + Length;

    /// <summary>The canonical text of this sub-expression.</summary>
    public override string ToString() => ExpressionPrinter.Print(this);
}

public sealed class StringLiteral(int position, int length, string value) : SyntaxNode(position, length)
{
    public string Value { get; } = value;
}

public sealed class NumberLiteral(int position, int length, double value) : SyntaxNode(position, length)
{
    public double Value { get; } = value;
}

public sealed class BoolLiteral(int position, int length, bool value) : SyntaxNode(position, length)
{
    public bool Value { get; } = value;
}

public sealed class NullLiteral(int position, int length) : SyntaxNode(position, length);

/// <summary>A list literal; its items are string or number literals only, so it is a constant.</summary>
public sealed class ListLiteral(int position, int length, IReadOnlyList<SyntaxNode> items) : SyntaxNode(position, length)
{
    public IReadOnlyList<SyntaxNode> Items { get; } = items;
}

/// <summary>A field path such as <c>price</c> or <c>rfm.recency_days</c>.</summary>
public sealed class FieldNode(int position, int length, string path) : SyntaxNode(position, length)
{
    public string Path { get; } = path;
}

/// <summary>Map lookup: <c>interests.category["sports"]</c>.</summary>
public sealed class IndexNode(int position, int length, SyntaxNode target, SyntaxNode key) : SyntaxNode(position, length)
{
    public SyntaxNode Target { get; } = target;

    public SyntaxNode Key { get; } = key;
}

public sealed class NotNode(int position, int length, SyntaxNode operand) : SyntaxNode(position, length)
{
    public SyntaxNode Operand { get; } = operand;
}

public sealed class NegateNode(int position, int length, SyntaxNode operand) : SyntaxNode(position, length)
{
    public SyntaxNode Operand { get; } = operand;
}

public enum LogicalOperator
{
    And,
    Or,
}

/// <summary><c>a and b and c</c> (or <c>or</c>) as one node, so long chains stay shallow.</summary>
public sealed class LogicalNode(int position, int length, LogicalOperator op, IReadOnlyList<SyntaxNode> operands)
    : SyntaxNode(position, length)
{
    public LogicalOperator Operator { get; } = op;

    public IReadOnlyList<SyntaxNode> Operands { get; } = operands;
}

public enum BinaryOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    Contains,
    StartsWith,
    Add,
    Subtract,
    Multiply,
    Divide,
}

public sealed class BinaryNode(int position, int length, BinaryOperator op, int operatorPosition, SyntaxNode left, SyntaxNode right)
    : SyntaxNode(position, length)
{
    public BinaryOperator Operator { get; } = op;

    public int OperatorPosition { get; } = operatorPosition;

    public SyntaxNode Left { get; } = left;

    public SyntaxNode Right { get; } = right;
}

public sealed class CallNode(int position, int length, string name, IReadOnlyList<SyntaxNode> arguments) : SyntaxNode(position, length)
{
    public string Name { get; } = name;

    public IReadOnlyList<SyntaxNode> Arguments { get; } = arguments;
}

internal static class Operators
{
    public static string Text(BinaryOperator op) => op switch
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
        BinaryOperator.Divide => "/",
        _ => op.ToString(),
    };

    public static string Text(LogicalOperator op) => op == LogicalOperator.And ? "and" : "or";

    public static bool IsComparison(BinaryOperator op) => op <= BinaryOperator.StartsWith;

    public static bool IsArithmetic(BinaryOperator op) => op >= BinaryOperator.Add;
}
