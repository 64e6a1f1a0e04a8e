using Attune.Engine.Options;

namespace Attune.Engine.Ingestion;

/// <summary>State shared while one body is parsed: limits, the clock, the element being read and the errors so far.</summary>
internal sealed class ParseContext(LimitOptions limits, DateTimeOffset now)
{
    /// <summary>Enough to fix a batch; more only makes the response huge.</summary>
    public const int MaxErrors = 100;

    public LimitOptions Limits { get; } = limits;

    public DateTimeOffset Now { get; } = now;

    public List<ValidationError> Errors { get; } = [];

    /// <summary>The element of a batch being read; null for a single object.</summary>
    public int? Index { get; set; }

    public ParseFailure Failure { get; set; }

    public string? Detail { get; set; }

    public bool IsFull => Errors.Count >= MaxErrors;

    public void Add(string field, string message)
    {
        if (!IsFull)
        {
            Errors.Add(new ValidationError(Index, field, message));
        }
    }

    public ParseResult<T> Result<T>(List<T> values)
    {
        if (Failure == ParseFailure.None && Errors.Count > 0)
        {
            Failure = ParseFailure.Invalid;
        }

        if (Failure == ParseFailure.None)
        {
            return new ParseResult<T>(values, Errors, ParseFailure.None, null);
        }

        var detail = Detail ?? (Errors.Count == 1
            ? $"'{Errors[0].Key}': {Errors[0].Message}"
            : $"{Errors.Count}{(IsFull ? "+" : string.Empty)} fields are invalid; nothing was written.");
        return new ParseResult<T>([], Errors, Failure, detail);
    }
}
