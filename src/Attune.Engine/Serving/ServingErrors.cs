namespace Attune.Engine.Serving;

/// <summary>
/// A recommendation request the caller got wrong (an expression that does not parse, an unknown option value).
/// The API maps it to 400 with <see cref="Field"/> and, for expressions, the 1-based <see cref="Column"/>.
/// </summary>
public sealed class RecommendationRequestException : Exception
{
    public RecommendationRequestException()
        : this("request", "the request is invalid")
    {
    }

    public RecommendationRequestException(string message)
        : this("request", message)
    {
    }

    public RecommendationRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "request";
    }

    public RecommendationRequestException(string field, string message, int? column = null, Exception? innerException = null)
        : base($"{field}: {message}", innerException)
    {
        Field = field;
        Column = column;
    }

    /// <summary>The request field at fault, e.g. <c>filter</c> or <c>rules[2].condition</c>.</summary>
    public string Field { get; }

    /// <summary>1-based column in the expression text, when the field is an expression.</summary>
    public int? Column { get; }
}

/// <summary>Why a cursor was refused.</summary>
public enum CursorProblem
{
    Malformed,
    Tampered,
    Expired,
    UnknownList,
}

/// <summary>A paging cursor that cannot be honoured; the API maps it to 400 (410 for <see cref="CursorProblem.Expired"/> if it likes).</summary>
public sealed class InvalidCursorException : Exception
{
    public InvalidCursorException()
        : this(CursorProblem.Malformed, "the cursor is invalid")
    {
    }

    public InvalidCursorException(string message)
        : this(CursorProblem.Malformed, message)
    {
    }

    public InvalidCursorException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = CursorProblem.Malformed;
    }

    public InvalidCursorException(CursorProblem problem, string message)
        : base(message)
    {
        Problem = problem;
    }

    public CursorProblem Problem { get; }
}
