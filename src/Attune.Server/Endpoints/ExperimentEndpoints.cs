using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Attune.Engine.Campaigns;
using Attune.Engine.Experiments;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Experiments.Assignment;
using Attune.Experiments.OffPolicy;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.Extensions.Options;

namespace Attune.Server.Endpoints;

/// <summary>
/// Experiments (admin): CRUD, results, a user's assignments; and off-policy evaluation of logged decisions.
/// </summary>
public static class ExperimentEndpoints
{
    public static IEndpointRouteBuilder MapExperimentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/experiments").WithTags("Experiments").WithMetadata(new RequiredScope(ApiScope.Admin));
        group.MapGet("/", List).WithName("ListExperiments").WithSummary("Every experiment with its status and layer buckets");
        group.MapPost("/", Create).WithName("CreateExperiment").WithSummary("Define an A/B/n experiment (validated; buckets allocated in its layer)");
        group.MapGet("/{id}", Get).WithName("GetExperiment").WithSummary("One experiment");
        group.MapPut("/{id}", Update).WithName("UpdateExperiment").WithSummary("Replace an experiment (its split is frozen once started)");
        group.MapDelete("/{id}", Delete).WithName("DeleteExperiment").WithSummary("Delete an experiment");
        group.MapGet("/{id}/results", Results).WithName("GetExperimentResults")
            .WithSummary("Per-variant metrics, z / Welch / CUPED tests with intervals, always-valid mSPRT p-values and the sample-ratio check");
        group.MapGet("/assignments/{userId}", Assignments).WithName("GetExperimentAssignments")
            .WithSummary("Whether a user is in the global holdout and which variant of each running experiment they see");
        app.MapPost("/v1/ope", Ope).WithTags("Experiments").WithMetadata(new RequiredScope(ApiScope.Admin))
            .WithName("EvaluateOffPolicy").WithSummary("IPS, self-normalized IPS, direct-method and doubly robust estimates of a candidate policy's value from uploaded decisions or a campaign's decisions log");
        return app;
    }

    private static IResult List(ExperimentRepository experiments) =>
        TypedResults.Json(experiments.List(), ExperimentApiJsonContext.Default.IReadOnlyListExperimentDefinition);

    private static IResult Get(string id, ExperimentRepository experiments) =>
        experiments.Get(id) is { } e ? TypedResults.Json(e, ExperimentApiJsonContext.Default.ExperimentDefinition) : Problems.NotFound($"Experiment '{id}' does not exist.");

    private static async Task<IResult> Create(HttpContext context, ApiServices api, ExperimentRepository experiments)
    {
        var (definition, problem) = await ReadAsync(context, api, ExperimentApiJsonContext.Default.ExperimentDefinition);
        if (problem is not null)
        {
            return problem;
        }

        return Apply(() => experiments.Create(definition!), e => TypedResults.Json(e, ExperimentApiJsonContext.Default.ExperimentDefinition, statusCode: StatusCodes.Status201Created));
    }

    private static async Task<IResult> Update(string id, HttpContext context, ApiServices api, ExperimentRepository experiments)
    {
        var (definition, problem) = await ReadAsync(context, api, ExperimentApiJsonContext.Default.ExperimentDefinition);
        if (problem is not null)
        {
            return problem;
        }

        if (definition!.Id != id)
        {
            return Problems.InvalidField("id", $"the body's id '{definition.Id}' differs from the URL's '{id}'");
        }

        return Apply(() => experiments.Update(definition), e => TypedResults.Json(e, ExperimentApiJsonContext.Default.ExperimentDefinition));
    }

    private static IResult Delete(string id, ExperimentRepository experiments) =>
        experiments.Delete(id) ? TypedResults.NoContent() : Problems.NotFound($"Experiment '{id}' does not exist.");

    private static async Task<IResult> Results(string id, HttpContext context, ApiServices api, ExperimentRepository experiments)
    {
        try
        {
            var results = await experiments.ResultsAsync(id, api.Store.Events, context.RequestAborted);
            return TypedResults.Json(results, ExperimentApiJsonContext.Default.ExperimentResults);
        }
        catch (ExperimentException ex) when (ex.NotFound)
        {
            return Problems.NotFound(ex.Message);
        }
    }

    private static IResult Assignments(string userId, ApiServices api, ExperimentRepository experiments)
    {
        if (api.CheckId(userId, "userId") is { } bad)
        {
            return bad;
        }

        var holdout = experiments.IsInHoldout(userId);
        return TypedResults.Json(new AssignmentsResponse(userId, holdout, experiments.AssignAll(userId)), ExperimentApiJsonContext.Default.AssignmentsResponse);
    }

    private static async Task<IResult> Ope(HttpContext context, ApiServices api)
    {
        var (request, problem) = await ReadAsync(context, api, ExperimentApiJsonContext.Default.OpeRequest);
        if (problem is not null)
        {
            return problem;
        }

        var r = request!;
        if (r.CampaignId is not null)
        {
            return await CampaignOpeAsync(context, r);
        }

        if (r.Arms is < 1 or > 10_000)
        {
            return Problems.InvalidField("arms", "must be between 1 and 10000");
        }

        if (r.Decisions is null || r.Decisions.Count == 0)
        {
            return Problems.InvalidField("decisions", "needs at least one logged decision");
        }

        if (r.Decisions.Count > api.Limits.MaxBatchSize * 10)
        {
            return Problems.InvalidField("decisions", $"at most {api.Limits.MaxBatchSize * 10} decisions per request");
        }

        if (!(r.Alpha > 0 && r.Alpha < 0.5) || !(r.Lambda > 0 && double.IsFinite(r.Lambda)))
        {
            return Problems.InvalidField(r.Alpha is > 0 and < 0.5 ? "lambda" : "alpha", r.Alpha is > 0 and < 0.5 ? "must be a positive number" : "must be in (0, 0.5)");
        }

        var logs = new List<LoggedDecision>(r.Decisions.Count);
        for (var i = 0; i < r.Decisions.Count; i++)
        {
            var d = r.Decisions[i];
            if (d is null)
            {
                return Invalid(i, "decisions", "is null");
            }

            if (r.Target is null && (d.TargetProbabilities is null || d.TargetProbabilities.Length != r.Arms))
            {
                return Invalid(i, "targetProbabilities", $"give 'target' or, on every decision, {r.Arms} target probabilities");
            }

            logs.Add(new LoggedDecision(d.Context ?? [], d.Action, d.Propensity, d.Reward));
        }

        try
        {
            OffPolicyEvaluator.Validate(logs, r.Arms);
            var dimension = logs[0].Context.Length;
            var model = RidgeRewardModel.Fit(logs, r.Arms, dimension, r.Lambda);
            TargetPolicy target = r.Target is { } spec
                ? TargetPolicies.Create(spec, r.Arms, dimension, model)
                : (row, _, p) => r.Decisions[row].TargetProbabilities.AsSpan().CopyTo(p);
            var report = OffPolicyEvaluator.Evaluate(logs, r.Arms, target, model, r.Alpha);
            return TypedResults.Json(report, ExperimentApiJsonContext.Default.OpeReport);
        }
        catch (FormatException ex)
        {
            return Problems.InvalidField("target", ex.Message);
        }
        catch (ArgumentException ex)
        {
            var index = ex.Message.StartsWith("Logged decision ", StringComparison.Ordinal) && int.TryParse(ex.Message.AsSpan(16, ex.Message.IndexOf(':', StringComparison.Ordinal) - 16), out var row) ? row : (int?)null;
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request body", ex.Message, [new ValidationError(index, "decisions", ex.Message)]);
        }
    }

    private static async Task<IResult> CampaignOpeAsync(HttpContext context, OpeRequest r)
    {
        if (r.Decisions is { Count: > 0 } || r.Arms != 0)
        {
            return Problems.InvalidField("campaignId", "evaluates the campaign's own decisions log; leave out arms and decisions");
        }

        if (string.IsNullOrWhiteSpace(r.Target))
        {
            return Problems.InvalidField("target", "name the candidate policy: greedy, uniform, variant:ID or a policy spec such as fixed:weights=0,1");
        }

        if (!(r.Alpha > 0 && r.Alpha < 0.5) || !(r.Lambda > 0 && double.IsFinite(r.Lambda)))
        {
            return Problems.InvalidField(r.Alpha is > 0 and < 0.5 ? "lambda" : "alpha", r.Alpha is > 0 and < 0.5 ? "must be a positive number" : "must be in (0, 0.5)");
        }

        if (context.RequestServices.GetService<DecisionService>() is not { } decisions)
        {
            return Problems.NotFound("Campaigns are not enabled on this server.");
        }

        if (decisions.Campaigns.Current.Get(r.CampaignId!) is not { } campaign)
        {
            return Problems.NotFound($"Campaign '{r.CampaignId}' does not exist.");
        }

        var options = context.RequestServices.GetRequiredService<IOptions<AttuneOptions>>().Value.Campaigns;
        var clock = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        var now = clock.GetUtcNow();
        var from = r.From ?? now.AddDays(-options.DecisionLogRetentionDays - 1);
        var to = r.To ?? now.AddTicks(1);
        if (to <= from)
        {
            return Problems.InvalidField("to", "must be after from");
        }

        await decisions.Log.FlushAsync(context.RequestAborted);
        try
        {
            var report = CampaignOffPolicy.Evaluate(campaign, decisions.Log.DirectoryPath, r.Target!, from, to, now, options.AttributionWindow, r.Alpha, r.Lambda);
            return TypedResults.Json(report, ExperimentApiJsonContext.Default.CampaignOpeReport);
        }
        catch (CampaignOpeException ex)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "Nothing to evaluate", ex.Message);
        }
        catch (FormatException ex)
        {
            return Problems.InvalidField("target", ex.Message);
        }
    }

    private static IResult Invalid(int index, string field, string message) =>
        Problems.Create(StatusCodes.Status400BadRequest, "Invalid request body", $"decisions[{index}].{field} {message}.", [new ValidationError(index, field, message)]);

    private static IResult Apply(Func<ExperimentDefinition> change, Func<ExperimentDefinition, IResult> ok)
    {
        try
        {
            return ok(change());
        }
        catch (ExperimentException ex) when (ex.NotFound)
        {
            return Problems.NotFound(ex.Message);
        }
        catch (ExperimentException ex) when (ex.Conflict)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Conflict", ex.Message);
        }
        catch (ExperimentException ex)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid experiment", ex.Message, ex.Errors.Select(e => new ValidationError(null, e.Field, e.Message)).ToList());
        }
    }

    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context, ApiServices api, JsonTypeInfo<T> type)
        where T : class
    {
        var (body, problem) = await RequestBody.ReadAsync(context, api.Limits.MaxBodyBytes);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            var reader = new Utf8JsonReader(body.Buffer, new JsonReaderOptions { MaxDepth = api.Limits.MaxJsonDepth });
            var value = JsonSerializer.Deserialize(ref reader, type);
            return value is null ? (null, Problems.InvalidField("body", "must be a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Problems.InvalidField(field, ex.Message.Split(" Path:")[0]));
        }
        finally
        {
            body.Release();
        }
    }
}
