namespace Attune.Core.Expressions;

/// <summary>
/// A problem with an expression's text: a syntax error, a type error or a violated limit.
/// The message starts with the 1-based column, e.g. <c>column 12: unknown field 'prise' (did you mean 'price'?)</c>.
/// </summary>
public sealed class ExpressionException : Exception
{
    public ExpressionException()
        : this(0, "the expression is invalid")
    {
    }

    public ExpressionException(string message)
        : this(0, message)
    {
    }

    public ExpressionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
        Column = 1;
    }

    public ExpressionException(int position, string reason)
        : base($"column {Math.Max(0, position) + 1}: {reason}")
    {
        Position = Math.Max(0, position);
        Column = Position + 1;
        Reason = reason;
    }

    /// <summary>0-based offset into the expression text where the problem is.</summary>
    public int Position { get; }

    /// <summary>1-based column, the number shown in the message.</summary>
    public int Column { get; }

    /// <summary>The message without the column prefix, for UIs that show the column themselves.</summary>
    public string Reason { get; }
}
