using Attune.Engine.Ingestion;

namespace Attune.Client;

/// <summary>The server refused a request; carries its problem details.</summary>
public sealed class AttuneApiException : Exception
{
    public AttuneApiException(int statusCode, string? title, string? detail, IReadOnlyList<ValidationError> errors)
        : base($"{statusCode} {title}: {detail}")
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Errors = errors;
    }

    public AttuneApiException()
        : this(0, null, null, [])
    {
    }

    public AttuneApiException(string message)
        : base(message)
    {
        Errors = [];
    }

    public AttuneApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public int StatusCode { get; }

    public string? Title { get; }

    public string? Detail { get; }

    /// <summary>Each bad field, with its batch index, when the server listed them.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }
}
