using System.Globalization;

namespace Attune.Core.Expressions;

/// <summary>
/// Gives every node of a parsed expression a type from the schema and rejects ill-typed expressions
/// with a message that names the column, the culprit and what was expected.
/// </summary>
/// <remarks>One pass over the tree: O(nodes), plus O(fields) for a misspelt name's suggestions.</remarks>
internal sealed class TypeChecker
{
    private const int MaxShown = 40;

    private readonly ExpressionSchema _schema;
    private readonly Dictionary<SyntaxNode, ExpressionType> _types = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SyntaxNode, DateTimeOffset> _times = new(ReferenceEqualityComparer.Instance);

    private TypeChecker(ExpressionSchema schema) => _schema = schema;

    public static (Dictionary<SyntaxNode, ExpressionType> Types, Dictionary<SyntaxNode, DateTimeOffset> Times) Check(
        SyntaxNode root, ExpressionSchema schema)
    {
        var checker = new TypeChecker(schema);
        checker.Check(root, allowNull: false);
        return (checker._types, checker._times);
    }

    /// <summary>How a node is named in messages: <c>'price'</c>, <c>the string "cheap"</c>, <c>'lower(title)'</c>.</summary>
    internal static string Describe(SyntaxNode node) => node switch
    {
        FieldNode f => $"'{f.Path}'",
        StringLiteral s => $"the string {Shorten(ExpressionPrinter.Quote(s.Value))}",
        NumberLiteral n => $"the number {ExpressionPrinter.FormatNumber(n.Value)}",
        BoolLiteral b => b.Value ? "true" : "false",
        NullLiteral => "null",
        ListLiteral l => $"the list {Shorten(ExpressionPrinter.Print(l))}",
        _ => $"'{Shorten(ExpressionPrinter.Print(node))}'",
    };

    private static bool IsLiteral(SyntaxNode node) =>
        node is StringLiteral or NumberLiteral or BoolLiteral or NullLiteral or ListLiteral;

    private static string Shorten(string text) => text.Length <= MaxShown ? text : text[..(MaxShown - 3)] + "...";

    private string DescribeTyped(SyntaxNode node) =>
        IsLiteral(node) ? Describe(node) : $"{Describe(node)} ({_types[node].Describe()})";

    private ExpressionType Check(SyntaxNode node, bool allowNull)
    {
        var type = node switch
        {
            StringLiteral => ExpressionType.String,
            NumberLiteral => ExpressionType.Number,
            BoolLiteral => ExpressionType.Bool,
            NullLiteral when allowNull => ExpressionType.Null,
            NullLiteral => throw new ExpressionException(node.Position, "null can only be used with '==' or '!=' (e.g. price == null); use exists(x) to test for a value"),
            ListLiteral list => CheckList(list),
            FieldNode field => CheckField(field),
            IndexNode index => CheckIndex(index),
            NotNode not => RequireBool(not.Operand, "'not'"),
            NegateNode negate => Require(negate.Operand, ExpressionType.Number, "'-'"),
            LogicalNode logical => CheckLogical(logical),
            BinaryNode binary => CheckBinary(binary),
            CallNode call => CheckCall(call),
            _ => throw new ExpressionException(node.Position, $"unsupported expression '{node.GetType().Name}'"),
        };
        _types[node] = type;
        return type;
    }

    private ExpressionType RequireBool(SyntaxNode operand, string what, string? needs = null)
    {
        Require(operand, ExpressionType.Bool, what, needs);
        return ExpressionType.Bool;
    }

    private ExpressionType Require(SyntaxNode operand, ExpressionType expected, string what, string? needs = null)
    {
        var type = Check(operand, allowNull: false);
        if (!type.Equals(expected))
        {
            throw new ExpressionException(operand.Position, $"{what} needs {needs ?? expected.Describe()}, but {Describe(operand)} is {type.Describe()}");
        }

        return type;
    }

    private ExpressionType CheckList(ListLiteral list)
    {
        if (list.Items.Count == 0)
        {
            return ExpressionType.EmptyList;
        }

        var first = list.Items[0] is StringLiteral ? ExpressionType.String : ExpressionType.Number;
        foreach (var item in list.Items)
        {
            var type = item is StringLiteral ? ExpressionType.String : ExpressionType.Number;
            _types[item] = type;
            if (!type.Equals(first))
            {
                throw new ExpressionException(item.Position, $"list items must all be of one type: the list starts with {first.Describe()} but {Describe(item)} is {type.Describe()}");
            }
        }

        return ExpressionType.ListOf(first);
    }

    private ExpressionType CheckField(FieldNode field)
    {
        if (_schema.TryGetType(field.Path, out var type))
        {
            return type;
        }

        throw new ExpressionException(field.Position, UnknownField(field.Path));
    }

    private string UnknownField(string path)
    {
        if (_schema.Unavailable.TryGetValue(path, out var reason))
        {
            return $"'{path}' cannot be used: {reason}";
        }

        for (var dot = path.LastIndexOf('.'); dot > 0; dot = path.LastIndexOf('.', dot - 1))
        {
            var parent = path[..dot];
            if (_schema.TryGetType(parent, out var parentType))
            {
                var hint = parentType.Kind == TypeKind.Map
                    ? $"; look up a key with {parent}[{ExpressionPrinter.Quote(path[(dot + 1)..])}]"
                    : "";
                return $"'{parent}' is {parentType.Describe()} and has no field '{path[(dot + 1)..]}'{hint}";
            }
        }

        var under = _schema.FieldsUnder(path);
        if (under.Count > 0)
        {
            var shown = string.Join(", ", under.Take(5).Select(f => $"'{f}'"));
            return $"'{path}' is not a field itself; use one of its fields: {shown}{(under.Count > 5 ? ", ..." : "")}";
        }

        if (Parser.IsKeyword(path.ToLowerInvariant()) || string.Equals(path, "startsWith", StringComparison.OrdinalIgnoreCase))
        {
            return $"unknown field '{path}' (keywords are lowercase: did you mean '{(path.Equals("startswith", StringComparison.OrdinalIgnoreCase) ? "startsWith" : path.ToLowerInvariant())}'?)";
        }

        var suggestions = _schema.Suggest(path);
        return suggestions.Count == 0
            ? $"unknown field '{path}'"
            : $"unknown field '{path}' (did you mean {string.Join(" or ", suggestions.Take(3).Select(s => $"'{s}'"))}?)";
    }

    private ExpressionType CheckIndex(IndexNode index)
    {
        var target = Check(index.Target, allowNull: false);
        if (target.Kind != TypeKind.Map)
        {
            throw new ExpressionException(index.Target.Position, $"only maps can be looked up with [key], but {Describe(index.Target)} is {target.Describe()}");
        }

        var key = Check(index.Key, allowNull: false);
        if (key.Kind != TypeKind.String)
        {
            throw new ExpressionException(index.Key.Position, $"a map key must be a string, but {Describe(index.Key)} is {key.Describe()}");
        }

        return target.Element!;
    }

    private ExpressionType CheckLogical(LogicalNode logical)
    {
        foreach (var operand in logical.Operands)
        {
            RequireBool(operand, $"'{Operators.Text(logical.Operator)}'", "conditions (bool) on both sides");
        }

        return ExpressionType.Bool;
    }

    private ExpressionType CheckBinary(BinaryNode binary)
    {
        var op = binary.Operator;
        if (Operators.IsArithmetic(op))
        {
            var what = $"'{Operators.Text(op)}'";
            Require(binary.Left, ExpressionType.Number, what, "numbers on both sides");
            Require(binary.Right, ExpressionType.Number, what, "numbers on both sides");
            return ExpressionType.Number;
        }

        var equality = op is BinaryOperator.Equal or BinaryOperator.NotEqual;
        var left = Check(binary.Left, allowNull: equality);
        var right = Check(binary.Right, allowNull: equality);
        switch (op)
        {
            case BinaryOperator.Equal or BinaryOperator.NotEqual:
                CheckEquality(binary, left, right);
                break;
            case BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual:
                CheckOrdering(binary, left, right);
                break;
            case BinaryOperator.In:
                CheckIn(binary, left, right);
                break;
            case BinaryOperator.Contains:
                CheckContains(binary, left, right);
                break;
            case BinaryOperator.StartsWith:
                CheckStartsWith(binary, left, right);
                break;
        }

        return ExpressionType.Bool;
    }

    private void CheckEquality(BinaryNode binary, ExpressionType left, ExpressionType right)
    {
        if (left.Kind == TypeKind.Null || right.Kind == TypeKind.Null)
        {
            return;
        }

        foreach (var (node, type) in new[] { (binary.Left, left), (binary.Right, right) })
        {
            if (!type.IsScalar)
            {
                throw new ExpressionException(node.Position, $"{Describe(node)} is {type.Describe()}, which cannot be compared with '{Operators.Text(binary.Operator)}'; use 'contains' or 'in'");
            }
        }

        CheckSameScalar(binary, left, right);
    }

    private void CheckOrdering(BinaryNode binary, ExpressionType left, ExpressionType right)
    {
        foreach (var (node, type) in new[] { (binary.Left, left), (binary.Right, right) })
        {
            if (type.Kind is not (TypeKind.Number or TypeKind.Time or TypeKind.String))
            {
                throw new ExpressionException(node.Position, $"'{Operators.Text(binary.Operator)}' orders numbers, times and strings, but {Describe(node)} is {type.Describe()}");
            }
        }

        CheckSameScalar(binary, left, right);
    }

    private void CheckSameScalar(BinaryNode binary, ExpressionType left, ExpressionType right)
    {
        if (left.Equals(right))
        {
            return;
        }

        if (left.Kind == TypeKind.Time && binary.Right is StringLiteral rs)
        {
            CoerceTime(rs);
            return;
        }

        if (right.Kind == TypeKind.Time && binary.Left is StringLiteral ls)
        {
            CoerceTime(ls);
            return;
        }

        var (subject, subjectType, other) = IsLiteral(binary.Left) && !IsLiteral(binary.Right)
            ? (binary.Right, right, binary.Left)
            : (binary.Left, left, binary.Right);
        throw new ExpressionException(other.Position, $"{Describe(subject)} is {subjectType.Describe()} and cannot be compared with {DescribeTyped(other)}");
    }

    private void CoerceTime(StringLiteral literal)
    {
        if (!DateTimeOffset.TryParse(literal.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            throw new ExpressionException(literal.Position, $"{Describe(literal)} is not a time; write times in ISO 8601, e.g. \"2024-05-01\" or \"2024-05-01T12:00:00Z\"");
        }

        _types[literal] = ExpressionType.Time;
        _times[literal] = time;
    }

    private void CheckIn(BinaryNode binary, ExpressionType left, ExpressionType right)
    {
        if (right.Kind != TypeKind.List)
        {
            throw new ExpressionException(binary.Right.Position, $"'in' needs a list on the right, but {Describe(binary.Right)} is {right.Describe()}");
        }

        var value = left.Kind == TypeKind.List ? left.Element! : left;
        if (value.Kind is not (TypeKind.String or TypeKind.Number or TypeKind.Null))
        {
            throw new ExpressionException(binary.Left.Position, $"'in' looks up strings and numbers, but {Describe(binary.Left)} is {left.Describe()}");
        }

        if (right.Element!.Kind != TypeKind.Null && value.Kind != TypeKind.Null && !right.Element.Equals(value))
        {
            throw new ExpressionException(binary.Right.Position, $"{Describe(binary.Left)} is {left.Describe()} but {Describe(binary.Right)} is {right.Describe()}");
        }
    }

    private void CheckContains(BinaryNode binary, ExpressionType left, ExpressionType right)
    {
        var expected = left.Kind switch
        {
            TypeKind.List when left.Element!.Kind == TypeKind.Null => right.Kind is TypeKind.String or TypeKind.Number ? right : ExpressionType.String,
            TypeKind.List => left.Element!,
            TypeKind.String or TypeKind.Map => ExpressionType.String,
            _ => throw new ExpressionException(binary.Left.Position, $"'contains' needs a list, a string or a map on the left, but {Describe(binary.Left)} is {left.Describe()}"),
        };
        if (!right.Equals(expected))
        {
            var what = left.Kind == TypeKind.Map ? "a key, which must be a string" : expected.Describe();
            throw new ExpressionException(binary.Right.Position, $"{Describe(binary.Left)} is {left.Describe()}, so 'contains' needs {what}, but {Describe(binary.Right)} is {right.Describe()}");
        }
    }

    private void CheckStartsWith(BinaryNode binary, ExpressionType left, ExpressionType right)
    {
        if (!left.Equals(ExpressionType.String) && !left.Equals(ExpressionType.StringList) && !left.Equals(ExpressionType.EmptyList))
        {
            throw new ExpressionException(binary.Left.Position, $"'startsWith' needs a string or a list of strings on the left, but {Describe(binary.Left)} is {left.Describe()}");
        }

        if (right.Kind != TypeKind.String)
        {
            throw new ExpressionException(binary.Right.Position, $"'startsWith' needs a string on the right, but {Describe(binary.Right)} is {right.Describe()}");
        }
    }

    private ExpressionType CheckCall(CallNode call)
    {
        if (Array.IndexOf(Functions.Names, call.Name) < 0)
        {
            var suggestions = Suggestions.Closest(call.Name, Functions.Names);
            var hint = suggestions.Count > 0 ? $" (did you mean '{suggestions[0]}'?)" : "";
            throw new ExpressionException(call.Position, $"unknown function '{call.Name}'{hint}; the functions are {string.Join(", ", Functions.Names)}");
        }

        if (call.Arguments.Count != 1)
        {
            throw new ExpressionException(call.Position, $"'{call.Name}' takes 1 argument but was given {call.Arguments.Count}: {Functions.Signature(call.Name)}");
        }

        var arg = call.Arguments[0];
        var what = $"'{call.Name}'";
        switch (call.Name)
        {
            case Functions.Lower:
                Require(arg, ExpressionType.String, what);
                return ExpressionType.String;
            case Functions.Abs:
                Require(arg, ExpressionType.Number, what);
                return ExpressionType.Number;
            case Functions.DaysSince:
                Require(arg, ExpressionType.Time, what);
                return ExpressionType.Number;
            case Functions.Length:
                var type = Check(arg, allowNull: false);
                if (type.Kind is not (TypeKind.String or TypeKind.List or TypeKind.Map))
                {
                    throw new ExpressionException(arg.Position, $"'len' needs a string, a list or a map, but {Describe(arg)} is {type.Describe()}");
                }

                return ExpressionType.Number;
            default:
                Check(arg, allowNull: false);
                return ExpressionType.Bool;
        }
    }
}
