namespace Attune.Core.Expressions;

/// <summary>
/// Bounds on the cost of an expression, checked while parsing; a violation is an
/// <see cref="ExpressionException"/> that names the limit and where it was crossed.
/// </summary>
/// <param name="MaxLength">Most characters in the expression text.</param>
/// <param name="MaxDepth">Most levels of nesting (parentheses, operators, calls); at most <see cref="DepthCeiling"/>.</param>
/// <param name="MaxNodes">Most syntax-tree nodes (fields, literals, operators, calls); list items are counted by <paramref name="MaxListItems"/>.</param>
/// <param name="MaxListItems">Most items in one list literal.</param>
public sealed record ExpressionLimits(
    int MaxLength = 8192,
    int MaxDepth = 64,
    int MaxNodes = 1000,
    int MaxListItems = 1000)
{
    /// <summary>Hard ceiling on <see cref="MaxDepth"/>: deeper trees could exhaust the stack of the recursive parser and compiler.</summary>
    public const int DepthCeiling = 256;

    public static ExpressionLimits Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is not positive or the depth exceeds the ceiling.</summary>
    public ExpressionLimits Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLength, 1, nameof(MaxLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDepth, 1, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDepth, DepthCeiling, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNodes, 1, nameof(MaxNodes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxListItems, 0, nameof(MaxListItems));
        return this;
    }

    public override string ToString() =>
        $"ExpressionLimits(MaxLength={MaxLength}, MaxDepth={MaxDepth}, MaxNodes={MaxNodes}, MaxListItems={MaxListItems})";
}
