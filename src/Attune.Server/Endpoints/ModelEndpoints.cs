using System.Text.Json;
using Attune.Engine.Models;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attune.Server.Endpoints;

/// <summary>The model registry: versions, training runs, promotion decisions, activation (admin scope).</summary>
public static class ModelEndpoints
{
    private const int HistoryShown = 100;

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/models").WithTags("Models").WithMetadata(new RequiredScope(ApiScope.Admin));
        group.MapGet(string.Empty, ListModels)
            .WithName("ListModels")
            .WithSummary("Stored model versions, the active one, recent training runs and promotion decisions");
        group.MapPost("train", StartTraining)
            .WithName("TrainModel")
            .WithSummary("Start a training run")
            .WithDescription("Answers 202 at once with the run's id and status URL. One run trains at a time; a request that arrives while another waits joins it. "
                + "The candidate is promoted only when it is not worse than the active model on recent events.")
            .Accepts<TrainRequestDocument>("application/json")
            .Produces<TrainAcceptedDocument>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("trainings", ListTrainings)
            .WithName("ListTrainings")
            .WithSummary("Recent training runs, newest first");
        group.MapGet("trainings/{id}", GetTraining)
            .WithName("GetTraining")
            .WithSummary("One training run: status, stage, progress, the version it produced and the promotion decision")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("{version}", GetModel)
            .WithName("GetModel")
            .WithSummary("One stored model version")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("{version}/activate", ActivateModel)
            .WithName("ActivateModel")
            .WithSummary("Make a stored version the active one (roll back or forward)")
            .WithDescription("The version is loaded and verified before the swap; a version that fails verification is refused with 409 and the active model stays.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static Ok<ModelListDocument> ListModels(ModelTrainingService training)
    {
        var registry = training.Registry;
        var active = registry.Active.Current?.Version;
        var decisions = Decisions(registry);
        var versions = registry.Store.Versions().Select(v => Describe(registry, v, active, decisions)).ToArray();
        var history = registry.Store.ReadHistory(HistoryShown).Reverse().ToArray();
        return TypedResults.Ok(new ModelListDocument(active, versions, training.Runs, history, training.EventsSinceTraining));
    }

    private static IResult GetModel(string version, ModelTrainingService training)
    {
        var registry = training.Registry;
        if (!ModelStore.IsValidVersion(version) || !registry.Store.Versions().Contains(version))
        {
            return Problems.NotFound($"There is no model version '{version}'.");
        }

        return TypedResults.Ok(Describe(registry, version, registry.Active.Current?.Version, Decisions(registry)));
    }

    private static async Task<IResult> StartTraining(HttpContext context, ModelTrainingService training)
    {
        string? algorithm = null;
        if (context.Request.ContentLength is > 0 || (context.Request.ContentLength is null && context.Request.ContentType is not null))
        {
            TrainRequestDocument? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync(context.Request.Body, ModelsJsonContext.Default.TrainRequestDocument, context.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Problems.InvalidField("body", "not a valid training request: " + ex.Message);
            }

            algorithm = string.IsNullOrWhiteSpace(body?.Algorithm) ? null : body.Algorithm.Trim();
            if (algorithm is not null && ModelsOptions.SpecError(algorithm) is { } error)
            {
                return Problems.InvalidField("algorithm", error);
            }
        }

        var run = training.Enqueue(new TrainingRequest("api", algorithm));
        var url = $"/v1/models/trainings/{run.Id}";
        return TypedResults.Accepted(url, new TrainAcceptedDocument(run.Id, run.Info.Status, url));
    }

    private static Ok<IReadOnlyList<TrainingRunInfo>> ListTrainings(ModelTrainingService training) => TypedResults.Ok(training.Runs);

    private static IResult GetTraining(string id, ModelTrainingService training) =>
        training.Get(id) is { } run ? TypedResults.Ok(run) : Problems.NotFound($"There is no training run '{id}' (runs are kept in memory until the server restarts).");

    private static async Task<IResult> ActivateModel(string version, ModelTrainingService training, HttpContext context)
    {
        var registry = training.Registry;
        try
        {
            await registry.ActivateAsync(version, "requested through the API", context.RequestAborted);
        }
        catch (ModelArtifactException ex) when (ex.NotFound)
        {
            return Problems.NotFound($"There is no model version '{version}'.");
        }
        catch (ModelArtifactException ex)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Model version cannot be activated", ex.Message + " The active model is unchanged.");
        }

        return TypedResults.Ok(Describe(registry, version, version, Decisions(registry)));
    }

    private static Dictionary<string, PromotionDecision> Decisions(ModelRegistry registry)
    {
        var decisions = new Dictionary<string, PromotionDecision>(StringComparer.Ordinal);
        foreach (var entry in registry.Store.ReadHistory(1000))
        {
            if (entry is { Version: { } v, Decision: { } d })
            {
                decisions[v] = d;
            }
        }

        return decisions;
    }

    private static ModelVersionDocument Describe(ModelRegistry registry, string version, string? active, Dictionary<string, PromotionDecision> decisions)
    {
        try
        {
            var manifest = registry.Store.ReadManifest(version);
            return new ModelVersionDocument(version, version == active, manifest.Info, manifest.Users, manifest.Items,
                [.. manifest.Components.Keys], decisions.GetValueOrDefault(version), null);
        }
        catch (ModelArtifactException ex)
        {
            return new ModelVersionDocument(version, version == active, null, null, null, [], decisions.GetValueOrDefault(version), ex.Message);
        }
    }
}
