using System.Globalization;

namespace Attune.Engine.Campaigns.Templates;

public enum TemplateValueKind
{
    Missing,
    String,
    Number,
    Bool,
    List,
}

/// <summary>One value a token resolves to: a string, number, boolean, list of strings, or missing.</summary>
public readonly struct TemplateValue
{
    private readonly string? _text;
    private readonly double _number;
    private readonly IReadOnlyList<string>? _list;

    private TemplateValue(TemplateValueKind kind, string? text, double number, IReadOnlyList<string>? list)
    {
        Kind = kind;
        _text = text;
        _number = number;
        _list = list;
    }

    public static TemplateValue Missing => default;

    public TemplateValueKind Kind { get; }

    /// <summary>Missing, an empty string, an empty list and a non-finite number all count as absent (for <c>default</c> and <c>if</c>).</summary>
    public bool IsEmpty => Kind switch
    {
        TemplateValueKind.String => string.IsNullOrEmpty(_text),
        TemplateValueKind.Number => !double.IsFinite(_number),
        TemplateValueKind.Bool => false,
        TemplateValueKind.List => _list is not { Count: > 0 },
        _ => true,
    };

    /// <summary>Whether <c>{{#if}}</c> takes its first branch: present, non-empty, not false and not zero.</summary>
    public bool IsTruthy => !IsEmpty && Kind switch
    {
        TemplateValueKind.Bool => _number != 0,
        TemplateValueKind.Number => _number != 0,
        _ => true,
    };

    public double Number => _number;

    public static TemplateValue Of(string? text) => text is null ? Missing : new(TemplateValueKind.String, text, 0, null);

    public static TemplateValue Of(double? number) => number is { } n ? new(TemplateValueKind.Number, null, n, null) : Missing;

    public static TemplateValue Of(bool? value) => value is { } b ? new(TemplateValueKind.Bool, null, b ? 1 : 0, null) : Missing;

    public static TemplateValue Of(IReadOnlyList<string>? list) => list is null ? Missing : new(TemplateValueKind.List, null, 0, list);

    /// <summary>The text this value renders as (before escaping); empty when missing.</summary>
    public string Render() => Kind switch
    {
        TemplateValueKind.String => _text!,
        TemplateValueKind.Number => double.IsFinite(_number) ? _number.ToString("0.############", CultureInfo.InvariantCulture) : string.Empty,
        TemplateValueKind.Bool => _number != 0 ? "true" : "false",
        TemplateValueKind.List => string.Join(", ", _list!),
        _ => string.Empty,
    };

    public override string ToString() => Render();
}
