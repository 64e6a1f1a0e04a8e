using System.Text.Json;

namespace Attune.Core.Expressions;

/// <summary>
/// Turns a type-checked tree into a tree of typed delegates over <typeparamref name="T"/>. Missing numbers travel
/// as NaN (so IEEE comparisons are already false), missing strings, times, lists and maps as null.
/// </summary>
/// <remarks>
/// Compilation is O(nodes). Evaluation is one delegate call per node, with common shapes (field compared with a
/// constant, two- and three-way <c>and</c>/<c>or</c>, <c>in</c> a literal list) fused into one delegate;
/// nothing is allocated except by <c>lower()</c> and by JSON fields read as strings, lists or maps.
/// </remarks>
internal sealed class ExpressionCompiler<T>(CheckedExpression expression, RecordBinder<T> binder, TimeProvider clock)
{
    public Func<T, bool> Condition(SyntaxNode node)
    {
        switch (node)
        {
            case BoolLiteral literal:
                var value = literal.Value;
                return _ => value;
            case FieldNode field when JsonGetter(field) is { } json:
                return r => json(r).ValueKind == JsonValueKind.True;
            case FieldNode field:
                var get = Getter<bool?>(field);
                return r => get(r) == true;
            case NotNode not:
                var operand = Condition(not.Operand);
                return r => !operand(r);
            case LogicalNode logical:
                return Logical(logical);
            case BinaryNode binary:
                return Comparison(binary);
            case CallNode { Name: Functions.Exists } call:
                return Present(call.Arguments[0]);
            default:
                throw Unsupported(node);
        }
    }

    public Func<T, double> Number(SyntaxNode node)
    {
        switch (node)
        {
            case NumberLiteral literal:
                var value = literal.Value;
                return _ => value;
            case FieldNode field when JsonGetter(field) is { } json:
                return r => JsonValues.Number(json(r));
            case FieldNode field:
                var get = Getter<double?>(field);
                return r => get(r) ?? double.NaN;
            case IndexNode index:
                return NumberLookup(index);
            case NegateNode negate:
                var operand = Number(negate.Operand);
                return r => -operand(r);
            case BinaryNode binary:
                return Arithmetic(binary);
            case CallNode call:
                return NumberCall(call);
            default:
                throw Unsupported(node);
        }
    }

    private Func<T, string?> Text(SyntaxNode node)
    {
        switch (node)
        {
            case StringLiteral literal:
                var value = literal.Value;
                return _ => value;
            case FieldNode field when JsonGetter(field) is { } json:
                return r => JsonValues.String(json(r));
            case FieldNode field:
                return Getter<string?>(field);
            case IndexNode index:
                var map = Map<string>(index.Target);
                if (index.Key is StringLiteral constantKey)
                {
                    var k = constantKey.Value;
                    return r => map(r) is { } m && m.TryGetValue(k, out var v) ? v : null;
                }

                var key = Text(index.Key);
                return r => map(r) is { } m && key(r) is { } k2 && m.TryGetValue(k2, out var v) ? v : null;
            case CallNode { Name: Functions.Lower } call:
                var arg = Text(call.Arguments[0]);
                return r => arg(r)?.ToLowerInvariant();
            default:
                throw Unsupported(node);
        }
    }

    private Func<T, DateTimeOffset?> Time(SyntaxNode node)
    {
        switch (node)
        {
            case StringLiteral when expression.TryGetTime(node, out var time):
                DateTimeOffset? value = time;
                return _ => value;
            case FieldNode field when JsonGetter(field) is { } json:
                return r => JsonValues.Time(json(r));
            case FieldNode field:
                return Getter<DateTimeOffset?>(field);
            default:
                throw Unsupported(node);
        }
    }

    private Func<T, bool?> NullableBool(SyntaxNode node)
    {
        switch (node)
        {
            case FieldNode field when JsonGetter(field) is { } json:
                return r => JsonValues.Bool(json(r));
            case FieldNode field:
                return Getter<bool?>(field);
            default:
                var condition = Condition(node);
                return r => condition(r);
        }
    }

    private Func<T, IReadOnlyList<string>?> StringList(SyntaxNode node) => node switch
    {
        ListLiteral list => Constant<IReadOnlyList<string>?>(StringItems(list)),
        FieldNode field when JsonGetter(field) is { } json => r => JsonValues.StringList(json(r)),
        FieldNode field => Getter<IReadOnlyList<string>?>(field),
        _ => throw Unsupported(node),
    };

    private Func<T, IReadOnlyList<double>?> NumberList(SyntaxNode node) => node switch
    {
        ListLiteral list => Constant<IReadOnlyList<double>?>(NumberItems(list)),
        FieldNode field when JsonGetter(field) is { } json => r => JsonValues.NumberList(json(r)),
        FieldNode field => Getter<IReadOnlyList<double>?>(field),
        _ => throw Unsupported(node),
    };

    private Func<T, IReadOnlyDictionary<string, TValue>?> Map<TValue>(SyntaxNode node)
    {
        if (node is not FieldNode field)
        {
            throw Unsupported(node);
        }

        if (JsonGetter(field) is { } json)
        {
            return typeof(TValue) == typeof(double)
                ? (Func<T, IReadOnlyDictionary<string, TValue>?>)(object)new Func<T, IReadOnlyDictionary<string, double>?>(r => JsonValues.NumberMap(json(r)))
                : (Func<T, IReadOnlyDictionary<string, TValue>?>)(object)new Func<T, IReadOnlyDictionary<string, string>?>(r => JsonValues.StringMap(json(r)));
        }

        return Getter<IReadOnlyDictionary<string, TValue>?>(field);
    }

    private static Func<T, TValue> Constant<TValue>(TValue value) => _ => value;

    private static string[] StringItems(ListLiteral list)
    {
        var items = new string[list.Items.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = ((StringLiteral)list.Items[i]).Value;
        }

        return items;
    }

    private static double[] NumberItems(ListLiteral list)
    {
        var items = new double[list.Items.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = ((NumberLiteral)list.Items[i]).Value;
        }

        return items;
    }

    private Func<T, bool> Logical(LogicalNode logical)
    {
        var parts = new Func<T, bool>[logical.Operands.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = Condition(logical.Operands[i]);
        }

        if (logical.Operator == LogicalOperator.And)
        {
            return parts.Length switch
            {
                2 => And(parts[0], parts[1]),
                3 => And(parts[0], parts[1], parts[2]),
                _ => r =>
                {
                    foreach (var part in parts)
                    {
                        if (!part(r))
                        {
                            return false;
                        }
                    }

                    return true;
                },
            };
        }

        return parts.Length switch
        {
            2 => Or(parts[0], parts[1]),
            3 => Or(parts[0], parts[1], parts[2]),
            _ => r =>
            {
                foreach (var part in parts)
                {
                    if (part(r))
                    {
                        return true;
                    }
                }

                return false;
            },
        };
    }

    private static Func<T, bool> And(Func<T, bool> a, Func<T, bool> b) => r => a(r) && b(r);

    private static Func<T, bool> And(Func<T, bool> a, Func<T, bool> b, Func<T, bool> c) => r => a(r) && b(r) && c(r);

    private static Func<T, bool> Or(Func<T, bool> a, Func<T, bool> b) => r => a(r) || b(r);

    private static Func<T, bool> Or(Func<T, bool> a, Func<T, bool> b, Func<T, bool> c) => r => a(r) || b(r) || c(r);

    private Func<T, bool> Comparison(BinaryNode binary) => binary.Operator switch
    {
        BinaryOperator.Equal => Equality(binary, equal: true),
        BinaryOperator.NotEqual => Equality(binary, equal: false),
        BinaryOperator.In => In(binary),
        BinaryOperator.Contains => Contains(binary),
        BinaryOperator.StartsWith => StartsWith(binary),
        _ => Ordering(binary),
    };

    private Func<T, bool> Equality(BinaryNode binary, bool equal)
    {
        var (left, right) = (binary.Left, binary.Right);
        if (left is NullLiteral || right is NullLiteral)
        {
            if (left is NullLiteral && right is NullLiteral)
            {
                return _ => equal;
            }

            var present = Present(left is NullLiteral ? right : left);
            return equal ? r => !present(r) : present;
        }

        var kind = KindOf(left, right);
        switch (kind)
        {
            case TypeKind.Number:
                return NumberEquality(left, right, equal);
            case TypeKind.String:
                return TextEquality(left, right, equal);
            case TypeKind.Bool:
                var a = NullableBool(left);
                var b = NullableBool(right);
                return equal
                    ? r => a(r) is bool x && b(r) is bool y && x == y
                    : r => a(r) is bool x && b(r) is bool y && x != y;
            default:
                var ta = Time(left);
                var tb = Time(right);
                return equal
                    ? r => ta(r) is { } x && tb(r) is { } y && x == y
                    : r => ta(r) is { } x && tb(r) is { } y && x != y;
        }
    }

    private TypeKind KindOf(SyntaxNode left, SyntaxNode right)
    {
        var l = expression.TypeOf(left).Kind;
        var r = expression.TypeOf(right).Kind;
        return l == TypeKind.Time || r == TypeKind.Time ? TypeKind.Time : l;
    }

    private Func<T, bool> NumberEquality(SyntaxNode left, SyntaxNode right, bool equal)
    {
        if (left is NumberLiteral && right is not NumberLiteral)
        {
            (left, right) = (right, left);
        }

        if (right is NumberLiteral literal)
        {
            var c = literal.Value;
            if (left is FieldNode field && JsonGetter(field) is null)
            {
                var get = Getter<double?>(field);
                return equal ? r => get(r) == c : r => get(r) is double v && v != c;
            }

            var a = Number(left);
            return equal ? r => a(r) == c : r =>
            {
                var v = a(r);
                return !double.IsNaN(v) && v != c;
            };
        }

        var x = Number(left);
        var y = Number(right);
        return equal ? r => x(r) == y(r) : r =>
        {
            var p = x(r);
            var q = y(r);
            return !double.IsNaN(p) && !double.IsNaN(q) && p != q;
        };
    }

    private Func<T, bool> TextEquality(SyntaxNode left, SyntaxNode right, bool equal)
    {
        if (left is StringLiteral && right is not StringLiteral)
        {
            (left, right) = (right, left);
        }

        if (right is StringLiteral literal)
        {
            var c = literal.Value;
            if (left is FieldNode field && JsonGetter(field) is { } json)
            {
                return equal
                    ? r =>
                    {
                        var e = json(r);
                        return e.ValueKind == JsonValueKind.String && e.ValueEquals(c);
                    }
                    : r =>
                    {
                        var e = json(r);
                        return e.ValueKind == JsonValueKind.String && !e.ValueEquals(c);
                    };
            }

            var a = Text(left);
            return equal
                ? r => string.Equals(a(r), c, StringComparison.Ordinal)
                : r => a(r) is { } s && !string.Equals(s, c, StringComparison.Ordinal);
        }

        var x = Text(left);
        var y = Text(right);
        return equal
            ? r => x(r) is { } p && y(r) is { } q && string.Equals(p, q, StringComparison.Ordinal)
            : r => x(r) is { } p && y(r) is { } q && !string.Equals(p, q, StringComparison.Ordinal);
    }

    private Func<T, bool> Ordering(BinaryNode binary)
    {
        var (left, right, op) = (binary.Left, binary.Right, binary.Operator);
        switch (KindOf(left, right))
        {
            case TypeKind.Number:
                return NumberOrdering(left, right, op);
            case TypeKind.String:
                var sa = Text(left);
                var sb = Text(right);
                return r => sa(r) is { } x && sb(r) is { } y && Holds(string.CompareOrdinal(x, y), op);
            default:
                var ta = Time(left);
                var tb = Time(right);
                return r => ta(r) is { } x && tb(r) is { } y && Holds(x.CompareTo(y), op);
        }
    }

    private static bool Holds(int comparison, BinaryOperator op) => op switch
    {
        BinaryOperator.Less => comparison < 0,
        BinaryOperator.LessOrEqual => comparison <= 0,
        BinaryOperator.Greater => comparison > 0,
        _ => comparison >= 0,
    };

    private Func<T, bool> NumberOrdering(SyntaxNode left, SyntaxNode right, BinaryOperator op)
    {
        if (right is NumberLiteral literal)
        {
            var c = literal.Value;
            if (left is FieldNode field && JsonGetter(field) is null)
            {
                var get = Getter<double?>(field);
                return op switch
                {
                    BinaryOperator.Less => r => get(r) < c,
                    BinaryOperator.LessOrEqual => r => get(r) <= c,
                    BinaryOperator.Greater => r => get(r) > c,
                    _ => r => get(r) >= c,
                };
            }

            var a = Number(left);
            return op switch
            {
                BinaryOperator.Less => r => a(r) < c,
                BinaryOperator.LessOrEqual => r => a(r) <= c,
                BinaryOperator.Greater => r => a(r) > c,
                _ => r => a(r) >= c,
            };
        }

        var x = Number(left);
        var y = Number(right);
        return op switch
        {
            BinaryOperator.Less => r => x(r) < y(r),
            BinaryOperator.LessOrEqual => r => x(r) <= y(r),
            BinaryOperator.Greater => r => x(r) > y(r),
            _ => r => x(r) >= y(r),
        };
    }

    private Func<T, bool> In(BinaryNode binary)
    {
        var (left, right) = (binary.Left, binary.Right);
        var leftType = expression.TypeOf(left);
        var rightType = expression.TypeOf(right);
        var element = leftType.Kind == TypeKind.List ? leftType.Element! : leftType;
        if (rightType.Element!.Kind == TypeKind.Null || element.Kind == TypeKind.Null)
        {
            return _ => false;
        }

        var many = leftType.Kind == TypeKind.List;
        if (element.Kind == TypeKind.String)
        {
            if (right is ListLiteral list)
            {
                var set = new ConstantSet<string>(StringItems(list));
                if (many)
                {
                    var values = StringList(left);
                    return r => AnyIn(values(r), set);
                }

                if (left is FieldNode field && JsonGetter(field) is { } json && set.IsSmall)
                {
                    var items = set.Items;
                    return r =>
                    {
                        var e = json(r);
                        if (e.ValueKind != JsonValueKind.String)
                        {
                            return false;
                        }

                        foreach (var item in items)
                        {
                            if (e.ValueEquals(item))
                            {
                                return true;
                            }
                        }

                        return false;
                    };
                }

                var value = Text(left);
                return r => value(r) is { } s && set.Contains(s);
            }

            var haystack = StringList(right);
            if (many)
            {
                var values = StringList(left);
                return r => haystack(r) is { } h && values(r) is { } v && AnyShared(v, h);
            }

            var needle = Text(left);
            return r => haystack(r) is { } h && needle(r) is { } s && IndexOf(h, s);
        }

        if (right is ListLiteral numbers)
        {
            var set = new ConstantSet<double>(NumberItems(numbers));
            if (many)
            {
                var values = NumberList(left);
                return r => AnyIn(values(r), set);
            }

            var value = Number(left);
            return r => set.Contains(value(r));
        }

        var numberHaystack = NumberList(right);
        if (many)
        {
            var values = NumberList(left);
            return r => numberHaystack(r) is { } h && values(r) is { } v && AnyShared(v, h);
        }

        var number = Number(left);
        return r => numberHaystack(r) is { } h && IndexOf(h, number(r));
    }

    private Func<T, bool> Contains(BinaryNode binary)
    {
        var (left, right) = (binary.Left, binary.Right);
        var leftType = expression.TypeOf(left);
        switch (leftType.Kind)
        {
            case TypeKind.List when leftType.Element!.Kind == TypeKind.Null:
                return _ => false;
            case TypeKind.List when leftType.Element.Kind == TypeKind.String:
                var list = StringList(left);
                if (right is StringLiteral literal)
                {
                    var c = literal.Value;
                    return r => list(r) is { } l && IndexOf(l, c);
                }

                var item = Text(right);
                return r => list(r) is { } l && item(r) is { } s && IndexOf(l, s);
            case TypeKind.List:
                var numbers = NumberList(left);
                var number = Number(right);
                return r => numbers(r) is { } l && IndexOf(l, number(r));
            case TypeKind.String:
                var text = Text(left);
                var part = Text(right);
                return r => text(r) is { } s && part(r) is { } p && s.Contains(p, StringComparison.Ordinal);
            default:
                var key = Text(right);
                if (leftType.Element!.Kind == TypeKind.Number)
                {
                    var map = Map<double>(left);
                    return r => map(r) is { } m && key(r) is { } k && m.ContainsKey(k);
                }

                var strings = Map<string>(left);
                return r => strings(r) is { } m && key(r) is { } k && m.ContainsKey(k);
        }
    }

    private Func<T, bool> StartsWith(BinaryNode binary)
    {
        var (left, right) = (binary.Left, binary.Right);
        var leftType = expression.TypeOf(left);
        var prefix = Text(right);
        if (leftType.Kind == TypeKind.String)
        {
            var text = Text(left);
            return r => text(r) is { } s && prefix(r) is { } p && s.StartsWith(p, StringComparison.Ordinal);
        }

        if (leftType.Element!.Kind == TypeKind.Null)
        {
            return _ => false;
        }

        var list = StringList(left);
        return r =>
        {
            if (list(r) is not { } l || prefix(r) is not { } p)
            {
                return false;
            }

            for (var i = 0; i < l.Count; i++)
            {
                if (l[i] is { } s && s.StartsWith(p, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        };
    }

    private Func<T, bool> Present(SyntaxNode node)
    {
        var type = expression.TypeOf(node);
        if (node is FieldNode field && JsonGetter(field) is { } json)
        {
            return type.Kind switch
            {
                TypeKind.Number => r => !double.IsNaN(JsonValues.Number(json(r))),
                TypeKind.String => r => json(r).ValueKind == JsonValueKind.String,
                TypeKind.Bool => r => json(r).ValueKind is JsonValueKind.True or JsonValueKind.False,
                TypeKind.Time => r => JsonValues.Time(json(r)).HasValue,
                TypeKind.List => r => json(r).ValueKind == JsonValueKind.Array,
                _ => r => json(r).ValueKind == JsonValueKind.Object,
            };
        }

        switch (type.Kind)
        {
            case TypeKind.Number:
                var number = Number(node);
                return r => !double.IsNaN(number(r));
            case TypeKind.String:
                var text = Text(node);
                return r => text(r) is not null;
            case TypeKind.Bool:
                var flag = NullableBool(node);
                return r => flag(r).HasValue;
            case TypeKind.Time:
                var time = Time(node);
                return r => time(r).HasValue;
            case TypeKind.List when type.Element!.Kind == TypeKind.Null:
                return _ => true;
            case TypeKind.List when type.Element.Kind == TypeKind.String:
                var strings = StringList(node);
                return r => strings(r) is not null;
            case TypeKind.List:
                var numbers = NumberList(node);
                return r => numbers(r) is not null;
            case TypeKind.Map when type.Element!.Kind == TypeKind.Number:
                var numberMap = Map<double>(node);
                return r => numberMap(r) is not null;
            case TypeKind.Map:
                var stringMap = Map<string>(node);
                return r => stringMap(r) is not null;
            default:
                return _ => false;
        }
    }

    private Func<T, double> NumberLookup(IndexNode index)
    {
        var map = Map<double>(index.Target);
        if (index.Key is StringLiteral literal)
        {
            var k = literal.Value;
            return r => map(r) is { } m && m.TryGetValue(k, out var v) ? v : double.NaN;
        }

        var key = Text(index.Key);
        return r => map(r) is { } m && key(r) is { } k && m.TryGetValue(k, out var v) ? v : double.NaN;
    }

    private Func<T, double> Arithmetic(BinaryNode binary)
    {
        var a = Number(binary.Left);
        var b = Number(binary.Right);
        return binary.Operator switch
        {
            BinaryOperator.Add => r => a(r) + b(r),
            BinaryOperator.Subtract => r => a(r) - b(r),
            BinaryOperator.Multiply => r => a(r) * b(r),
            BinaryOperator.Divide => r =>
            {
                var x = a(r);
                var y = b(r);
                return y == 0 ? double.NaN : x / y;
            },
            _ => throw Unsupported(binary),
        };
    }

    private Func<T, double> NumberCall(CallNode call)
    {
        var arg = call.Arguments[0];
        switch (call.Name)
        {
            case Functions.Abs:
                var number = Number(arg);
                return r => Math.Abs(number(r));
            case Functions.DaysSince:
                var time = Time(arg);
                var now = clock;
                return r => time(r) is { } t ? (now.GetUtcNow() - t).TotalDays : double.NaN;
            case Functions.Length:
                var type = expression.TypeOf(arg);
                if (arg is FieldNode field && JsonGetter(field) is { } json && type.Kind == TypeKind.List)
                {
                    return r => json(r) is { ValueKind: JsonValueKind.Array } e ? e.GetArrayLength() : double.NaN;
                }

                switch (type.Kind)
                {
                    case TypeKind.String:
                        var text = Text(arg);
                        return r => text(r) is { } s ? s.Length : double.NaN;
                    case TypeKind.List when type.Element!.Kind == TypeKind.Null:
                        return _ => 0;
                    case TypeKind.List when type.Element.Kind == TypeKind.String:
                        var strings = StringList(arg);
                        return r => strings(r) is { } l ? l.Count : double.NaN;
                    case TypeKind.List:
                        var numbers = NumberList(arg);
                        return r => numbers(r) is { } l ? l.Count : double.NaN;
                    case TypeKind.Map when type.Element!.Kind == TypeKind.Number:
                        var numberMap = Map<double>(arg);
                        return r => numberMap(r) is { } m ? m.Count : double.NaN;
                    default:
                        var stringMap = Map<string>(arg);
                        return r => stringMap(r) is { } m ? m.Count : double.NaN;
                }

            default:
                throw Unsupported(call);
        }
    }

    private static bool AnyIn<TValue>(IReadOnlyList<TValue>? values, ConstantSet<TValue> set)
        where TValue : notnull
    {
        if (values is TValue[] array)
        {
            // Arrays skip the interface dispatch of IReadOnlyList; catalogs store their lists as arrays.
            foreach (var v in array)
            {
                if (v is not null && set.Contains(v))
                {
                    return true;
                }
            }

            return false;
        }

        if (values is null)
        {
            return false;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is { } v && set.Contains(v))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyShared<TValue>(IReadOnlyList<TValue> values, IReadOnlyList<TValue> haystack)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is { } v && IndexOf(haystack, v))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IndexOf(IReadOnlyList<string> list, string value)
    {
        if (list is string[] array)
        {
            foreach (var item in array)
            {
                if (string.Equals(item, value, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IndexOf(IReadOnlyList<double> list, double value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IndexOf<TValue>(IReadOnlyList<TValue> list, TValue value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<TValue>.Default.Equals(list[i], value) && !(value is double d && double.IsNaN(d)))
            {
                return true;
            }
        }

        return false;
    }

    private FieldBinding<T> Binding(FieldNode field)
    {
        var expected = expression.TypeOf(field);
        if (!binder.TryGetBinding(field.Path, out var binding) || !binding.Type.Equals(expected))
        {
            throw new InvalidOperationException(
                $"The expression was checked against a schema in which '{field.Path}' is {expected}, but the binder does not bind it so; check and compile with the same binder.");
        }

        return binding;
    }

    private Func<T, JsonElement>? JsonGetter(FieldNode field) => Binding(field) is JsonBinding<T> json ? json.Get : null;

    private Func<T, TValue> Getter<TValue>(FieldNode field) =>
        Binding(field) is ValueBinding<T, TValue> value
            ? value.Get
            : throw new InvalidOperationException($"Field '{field.Path}' is bound with an unexpected getter type.");

    private static InvalidOperationException Unsupported(SyntaxNode node) =>
        new($"Cannot compile '{ExpressionPrinter.Print(node)}' ({node.GetType().Name}); the type checker should have rejected it.");
}
