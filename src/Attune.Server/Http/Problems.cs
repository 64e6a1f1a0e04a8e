using Attune.Engine.Ingestion;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Attune.Server.Http;

/// <summary>RFC 7807 problem details for every refusal, so clients parse one error shape.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string title, string detail, IReadOnlyList<ValidationError>? errors = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
        };
        if (errors is { Count: > 0 })
        {
            problem.Extensions["errors"] = errors;
        }

        return TypedResults.Problem(problem);
    }

    /// <summary>A body that failed to parse: 400 with every bad field, or 413.</summary>
    public static ProblemHttpResult Invalid<T>(ParseResult<T> result) =>
        result.Failure == ParseFailure.TooLarge
            ? Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", result.Detail ?? "The request body is too large.", result.Errors)
            : Create(StatusCodes.Status400BadRequest, "Invalid request body", result.Detail ?? "The request body is invalid; nothing was written.", result.Errors);

    public static ProblemHttpResult InvalidField(string field, string message) =>
        Create(StatusCodes.Status400BadRequest, "Invalid request", $"'{field}': {message}", [new ValidationError(null, field, message)]);

    public static ProblemHttpResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail);

    public static Task Write(HttpContext context, int status, string title, string detail) =>
        Create(status, title, detail).ExecuteAsync(context);
}
