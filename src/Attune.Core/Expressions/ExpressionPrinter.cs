using System.Globalization;
using System.Text;

namespace Attune.Core.Expressions;

/// <summary>
/// Writes a syntax tree back as canonical text: single spaces around operators, double-quoted strings,
/// round-trip numbers and only the parentheses precedence needs. Parsing the output gives the same tree.
/// </summary>
public static class ExpressionPrinter
{
    private const int OrLevel = 1;
    private const int AndLevel = 2;
    private const int NotLevel = 3;
    private const int ComparisonLevel = 4;
    private const int AdditiveLevel = 5;
    private const int MultiplicativeLevel = 6;
    private const int UnaryLevel = 7;
    private const int PostfixLevel = 8;

    public static string Print(SyntaxNode node)
    {
        var sb = new StringBuilder();
        Write(sb, node, 0);
        return sb.ToString();
    }

    /// <summary>A string literal as the parser reads it: double quotes, escapes for quotes, backslashes and control characters.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        WriteString(sb, value);
        return sb.ToString();
    }

    public static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static int Level(SyntaxNode node) => node switch
    {
        LogicalNode { Operator: LogicalOperator.Or } => OrLevel,
        LogicalNode => AndLevel,
        NotNode => NotLevel,
        BinaryNode b when Operators.IsComparison(b.Operator) => ComparisonLevel,
        BinaryNode { Operator: BinaryOperator.Add or BinaryOperator.Subtract } => AdditiveLevel,
        BinaryNode => MultiplicativeLevel,
        NegateNode => UnaryLevel,
        NumberLiteral n when n.Value < 0 || (n.Value == 0 && double.IsNegative(n.Value)) => UnaryLevel,
        _ => PostfixLevel,
    };

    private static void Write(StringBuilder sb, SyntaxNode node, int minLevel)
    {
        var parens = Level(node) < minLevel;
        if (parens)
        {
            sb.Append('(');
        }

        switch (node)
        {
            case StringLiteral s:
                WriteString(sb, s.Value);
                break;
            case NumberLiteral n:
                sb.Append(FormatNumber(n.Value));
                break;
            case BoolLiteral b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case NullLiteral:
                sb.Append("null");
                break;
            case ListLiteral list:
                sb.Append('[');
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Write(sb, list.Items[i], 0);
                }

                sb.Append(']');
                break;
            case FieldNode f:
                sb.Append(f.Path);
                break;
            case IndexNode index:
                Write(sb, index.Target, PostfixLevel);
                sb.Append('[');
                Write(sb, index.Key, 0);
                sb.Append(']');
                break;
            case NotNode not:
                sb.Append("not ");
                Write(sb, not.Operand, NotLevel);
                break;
            case NegateNode negate:
                sb.Append('-');
                Write(sb, negate.Operand, UnaryLevel);
                break;
            case LogicalNode logical:
                for (var i = 0; i < logical.Operands.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(' ').Append(Operators.Text(logical.Operator)).Append(' ');
                    }

                    Write(sb, logical.Operands[i], Level(logical) + 1);
                }

                break;
            case BinaryNode binary:
                var level = Level(binary);
                var comparison = level == ComparisonLevel;
                Write(sb, binary.Left, comparison ? level + 1 : level);
                sb.Append(' ').Append(Operators.Text(binary.Operator)).Append(' ');
                Write(sb, binary.Right, level + 1);
                break;
            case CallNode call:
                sb.Append(call.Name).Append('(');
                for (var i = 0; i < call.Arguments.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Write(sb, call.Arguments[i], 0);
                }

                sb.Append(')');
                break;
            default:
                throw new ArgumentException($"Unknown syntax node {node.GetType().Name}.", nameof(node));
        }

        if (parens)
        {
            sb.Append(')');
        }
    }

    private static void WriteString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
