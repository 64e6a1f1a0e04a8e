using System.Globalization;
using System.Text.Json;
using Attune.Engine.Options;
using Attune.Engine.Prediction;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attune.Server.Endpoints;

/// <summary>
/// Admin endpoints of behaviour prediction: train, read the evaluation report, score (and write back to profiles);
/// plus segment discovery (<see cref="SegmentDiscoveryEndpoints"/>), which clusters the same profiles.
/// </summary>
public static class PredictionEndpoints
{
    public static IEndpointRouteBuilder MapPredictionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/predictions").WithTags("Predictions").WithMetadata(new RequiredScope(ApiScope.Admin));
        group.MapPost("{task}/train", Train)
            .WithName("TrainPredictor")
            .WithSummary("Train and evaluate a new predictor version (task: purchase, churn or propensity; ?days=N, default 7)")
            .WithDescription("Temporal split: stacked point-in-time training cutoffs, tested on the latest complete window. Answers the evaluation report.")
            .Produces<PredictorReport>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("{task}/report", Report)
            .WithName("GetPredictorReport")
            .WithSummary("The evaluation report of the latest predictor version: AUC with its 95% interval, log-loss, calibration, lift, feature importance")
            .Produces<PredictorReport>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("{task}/score", Score)
            .WithName("ScorePredictor")
            .WithSummary("Score every user with the latest predictor and write the scores to their profiles (?days=N, ?top=K)")
            .Produces<ScoreRun>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("propensity/pairs", Pairs)
            .WithName("ScorePropensityPairs")
            .WithSummary("Probability that a user buys each given item within the horizon (?days=N)")
            .Accepts<PropensityPairsRequest>("application/json")
            .Produces<PropensityPairsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapSegmentDiscoveryEndpoints();
        return app;
    }

    private static async Task<IResult> Train(string task, string? days, HttpContext context, PredictionService predictions) =>
        await Run(task, days, t => predictions.TrainAsync(t, context.RequestAborted), r => TypedResults.Ok(r));

    private static async Task<IResult> Report(string task, string? days, PredictionService predictions) =>
        await Run(task, days, t => Task.FromResult(predictions.LatestReport(t)
            ?? throw new PredictionException($"No trained predictor for {t}: POST /v1/predictions/{t.Name}/train first.", notFound: true)), r => TypedResults.Ok(r));

    private static async Task<IResult> Score(string task, string? days, string? top, HttpContext context, PredictionService predictions)
    {
        var k = 10;
        if (top is not null && (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out k) || k > 1000))
        {
            return Problems.InvalidField("top", $"must be a whole number between 0 and 1000 (got '{top}').");
        }

        return await Run(task, days, t => predictions.ScoreAsync(t, k, context.RequestAborted), r => TypedResults.Ok(r));
    }

    private static async Task<IResult> Pairs(string? days, HttpContext context, PredictionService predictions, ApiServices api)
    {
        if (ParseTask("propensity", days, out var task) is { } bad)
        {
            return bad;
        }

        PropensityPairsRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, PredictionApiJsonContext.Default.PropensityPairsRequest, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request body", $"The body is not valid JSON: {ex.Message}");
        }

        if (body?.UserId is not { } userId)
        {
            return Problems.InvalidField("userId", "is required.");
        }

        if (api.CheckId(userId, "userId") is { } badUser)
        {
            return badUser;
        }

        if (body.ItemIds is not { Count: > 0 } items || items.Count > 1000)
        {
            return Problems.InvalidField("itemIds", "must list between 1 and 1000 item ids.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null || api.CheckId(items[i], string.Create(CultureInfo.InvariantCulture, $"itemIds[{i}]")) is not null)
            {
                return Problems.InvalidField(string.Create(CultureInfo.InvariantCulture, $"itemIds[{i}]"), "is not a valid item id.");
            }
        }

        try
        {
            var scores = await predictions.ScorePairsAsync(task.HorizonDays, userId, items, context.RequestAborted);
            var version = predictions.LatestReport(task)?.ModelVersion ?? string.Empty;
            return TypedResults.Ok(new PropensityPairsResponse(version, scores));
        }
        catch (PredictionException ex)
        {
            return Problem(ex);
        }
    }

    private static async Task<IResult> Run<T>(string task, string? days, Func<PredictionTask, Task<T>> action, Func<T, IResult> ok)
    {
        if (ParseTask(task, days, out var parsed) is { } bad)
        {
            return bad;
        }

        try
        {
            return ok(await action(parsed));
        }
        catch (PredictionException ex)
        {
            return Problem(ex);
        }
    }

    private static ProblemHttpResult? ParseTask(string task, string? days, out PredictionTask parsed)
    {
        parsed = default;
        var n = 7;
        if (days is not null && !int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out n))
        {
            return Problems.InvalidField("days", $"must be a whole number of days (got '{days}').");
        }

        return PredictionTask.TryCreate(task, n, out parsed) is { } error
            ? Problems.InvalidField(error.StartsWith("task", StringComparison.Ordinal) ? "task" : "days", error)
            : null;
    }

    private static ProblemHttpResult Problem(PredictionException ex) => ex.NotFound
        ? Problems.NotFound(ex.Message)
        : Problems.Create(StatusCodes.Status409Conflict, "Cannot predict", ex.Message);
}
