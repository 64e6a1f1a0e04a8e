using Microsoft.AspNetCore.Diagnostics;

namespace Attune.Server.Http;

/// <summary>
/// The last line: anything a handler did not turn into a 4xx becomes problem details. Client mistakes
/// (<see cref="BadHttpRequestException"/>) keep their status; everything else is logged and answered 500.
/// </summary>
public sealed class AttuneExceptionHandler(ILogger<AttuneExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The client hung up: nobody is left to answer, and it is not a server fault worth an error log.
        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        if (exception is BadHttpRequestException bad)
        {
            await Problems.Write(httpContext, bad.StatusCode, "Bad request", bad.Message);
            return true;
        }

        logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        await Problems.Write(httpContext, StatusCodes.Status500InternalServerError, "Internal server error",
            "The server failed to handle the request; the error has been logged.");
        return true;
    }
}
