namespace Attune.Core.Expressions;

/// <summary>How expressions are parsed and evaluated.</summary>
/// <param name="Limits">Cost bounds; <see cref="ExpressionLimits.Default"/> when null.</param>
/// <param name="Clock">The clock <c>days_since</c> reads; <see cref="TimeProvider.System"/> when null.</param>
public sealed record ExpressionOptions(ExpressionLimits? Limits = null, TimeProvider? Clock = null)
{
    public static ExpressionOptions Default { get; } = new();

    public ExpressionLimits Limits { get; init; } = Limits ?? ExpressionLimits.Default;

    public TimeProvider Clock { get; init; } = Clock ?? TimeProvider.System;

    public override string ToString() => $"ExpressionOptions(Limits={Limits}, Clock={Clock.GetType().Name})";
}
