namespace Attune.Core.Expressions;

/// <summary>The kinds of value an expression works with.</summary>
public enum TypeKind
{
    /// <summary>The <c>null</c> literal; only valid in <c>== null</c> and <c>!= null</c>.</summary>
    Null,
    String,
    Number,
    Bool,
    Time,
    List,
    Map,
}

/// <summary>
/// The type of a field or sub-expression: a scalar (string, number, bool, time), a list of strings or numbers,
/// or a map from string keys to numbers or strings. Written as in a schema: <c>string</c>, <c>number</c>,
/// <c>bool</c>, <c>time</c>, <c>list&lt;string&gt;</c>, <c>list&lt;number&gt;</c>,
/// <c>map&lt;string, number&gt;</c>, <c>map&lt;string, string&gt;</c>.
/// </summary>
public sealed class ExpressionType : IEquatable<ExpressionType>
{
    private ExpressionType(TypeKind kind, ExpressionType? element)
    {
        Kind = kind;
        Element = element;
    }

    public static ExpressionType Null { get; } = new(TypeKind.Null, null);

    public static ExpressionType String { get; } = new(TypeKind.String, null);

    public static ExpressionType Number { get; } = new(TypeKind.Number, null);

    public static ExpressionType Bool { get; } = new(TypeKind.Bool, null);

    public static ExpressionType Time { get; } = new(TypeKind.Time, null);

    public static ExpressionType StringList { get; } = new(TypeKind.List, String);

    public static ExpressionType NumberList { get; } = new(TypeKind.List, Number);

    /// <summary>The type of the empty list literal <c>[]</c>: compatible with a list of anything.</summary>
    public static ExpressionType EmptyList { get; } = new(TypeKind.List, Null);

    public static ExpressionType NumberMap { get; } = new(TypeKind.Map, Number);

    public static ExpressionType StringMap { get; } = new(TypeKind.Map, String);

    public TypeKind Kind { get; }

    /// <summary>The item type of a list or the value type of a map; null for scalars.</summary>
    public ExpressionType? Element { get; }

    public bool IsScalar => Kind is TypeKind.String or TypeKind.Number or TypeKind.Bool or TypeKind.Time;

    /// <summary>Reads a type written as in a schema, e.g. <c>list&lt;string&gt;</c>; throws <see cref="FormatException"/> otherwise.</summary>
    public static ExpressionType Parse(string text) =>
        TryParse(text, out var type)
            ? type
            : throw new FormatException(
                $"'{text}' is not an expression type; use string, number, bool, time, list<string>, list<number>, map<string, number> or map<string, string>.");

    public static bool TryParse(string? text, out ExpressionType type)
    {
        var t = (text ?? "").Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        ExpressionType? found = t switch
        {
            "string" => String,
            "number" => Number,
            "bool" or "boolean" => Bool,
            "time" => Time,
            "list<string>" => StringList,
            "list<number>" => NumberList,
            "map<string,number>" => NumberMap,
            "map<string,string>" => StringMap,
            _ => null,
        };
        type = found ?? Null;
        return found is not null;
    }

    /// <summary>The type with an article, as used in error messages: "a number", "a list of strings".</summary>
    public string Describe() => Kind switch
    {
        TypeKind.Null => "null",
        TypeKind.String => "a string",
        TypeKind.Number => "a number",
        TypeKind.Bool => "a condition (bool)",
        TypeKind.Time => "a time",
        TypeKind.List when Element!.Kind == TypeKind.Null => "an empty list",
        TypeKind.List => $"a list of {Plural(Element!)}",
        TypeKind.Map => $"a map of {Plural(Element!)}",
        _ => Kind.ToString(),
    };

    public bool Equals(ExpressionType? other) =>
        other is not null && other.Kind == Kind && Equals(other.Element, Element);

    public override bool Equals(object? obj) => Equals(obj as ExpressionType);

    public override int GetHashCode() => HashCode.Combine(Kind, Element);

    public override string ToString() => Kind switch
    {
        TypeKind.List => $"list<{Element}>",
        TypeKind.Map => $"map<string, {Element}>",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    internal static ExpressionType ListOf(ExpressionType element) =>
        element.Kind switch
        {
            TypeKind.String => StringList,
            TypeKind.Number => NumberList,
            _ => EmptyList,
        };

    private static string Plural(ExpressionType t) => t.Kind switch
    {
        TypeKind.String => "strings",
        TypeKind.Number => "numbers",
        TypeKind.Bool => "bools",
        TypeKind.Time => "times",
        _ => t.ToString(),
    };
}
