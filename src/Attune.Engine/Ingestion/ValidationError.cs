namespace Attune.Engine.Ingestion;

/// <summary>One thing wrong with a request body.</summary>
/// <param name="Index">Position of the bad element in a batch; null for a single object.</param>
/// <param name="Field">JSON path of the bad field inside the element (<c>timestamp</c>, <c>context.channel</c>); empty for the element itself.</param>
public sealed record ValidationError(int? Index, string Field, string Message)
{
    /// <summary>The key used in problem details: <c>[3].timestamp</c>, or <c>timestamp</c> for a single object.</summary>
    public string Key => Index is { } i ? (Field.Length == 0 ? $"[{i}]" : $"[{i}].{Field}") : Field;
}

/// <summary>Why a body was refused: bad content (400) or too large (413).</summary>
public enum ParseFailure
{
    None = 0,
    Invalid = 1,
    TooLarge = 2,
}

/// <summary>The outcome of parsing a body: the values, or every error found (capped) and no values.</summary>
public sealed class ParseResult<T>
{
    internal ParseResult(List<T> values, List<ValidationError> errors, ParseFailure failure, string? detail)
    {
        Values = values;
        Errors = errors;
        Failure = failure;
        Detail = detail;
    }

    public IReadOnlyList<T> Values { get; }

    public IReadOnlyList<ValidationError> Errors { get; }

    public ParseFailure Failure { get; }

    /// <summary>A one-line summary for the problem's <c>detail</c>.</summary>
    public string? Detail { get; }

    public bool IsValid => Failure == ParseFailure.None;
}
