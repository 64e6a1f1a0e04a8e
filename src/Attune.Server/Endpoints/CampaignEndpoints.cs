using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Attune.Engine.Campaigns;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Attune.Server.Endpoints;

public static class CampaignEndpoints
{
    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/campaigns").WithTags("Campaigns").WithMetadata(new RequiredScope(ApiScope.Admin));
        admin.MapGet(string.Empty, ListCampaigns)
            .WithName("ListCampaigns")
            .WithSummary("List every campaign")
            .Produces<CampaignListDocument>();
        admin.MapPost(string.Empty, CreateCampaign)
            .WithName("CreateCampaign")
            .WithSummary("Create a campaign (409 when the id exists)")
            .WithDescription("Validates everything at once: the audience expression, every variant's template (line and column), the policy and its options. Nothing is stored unless all is valid.")
            .Accepts<CampaignDefinition>("application/json")
            .Produces<CampaignDefinition>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPut("{id}", PutCampaign)
            .WithName("PutCampaign")
            .WithSummary("Create or replace a campaign")
            .WithDescription("Changing the variants or the policy starts the campaign's learning over.")
            .Accepts<CampaignDefinition>("application/json")
            .Produces<CampaignDefinition>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("{id}", GetCampaign)
            .WithName("GetCampaign")
            .WithSummary("Read a campaign with its decisions and rewards per variant")
            .Produces<CampaignDetailDocument>();
        admin.MapDelete("{id}", DeleteCampaign)
            .WithName("DeleteCampaign")
            .WithSummary("Delete a campaign and its policy state");

        app.MapPost("/v1/decide", Decide)
            .WithTags("Campaigns")
            .WithMetadata(new RequiredScope(ApiScope.Ingest))
            .WithName("Decide")
            .WithSummary("Choose and render what each placement shows a user")
            .WithDescription("Per placement: the chosen campaign and variant, the rendered content, a decisionId to report in events " +
                "(context.decisionId) and the probability of the choice; or nothing, with the reason (no campaign, audience, consent, " +
                "frequency cap, fatigue).")
            .Accepts<DecideRequestDocument>("application/json")
            .Produces<DecideResponseDocument>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static IResult ListCampaigns(CampaignRepository campaigns) =>
        TypedResults.Ok(new CampaignListDocument(campaigns.Current.All.Select(c => c.Definition).ToList()));

    private static async Task<IResult> CreateCampaign(HttpContext context, ApiServices api, CampaignRepository campaigns)
    {
        var (definition, problem) = await ReadAsync(context, api, CampaignApiJsonContext.Default.CampaignDefinition);
        if (problem is not null)
        {
            return problem;
        }

        var result = campaigns.Save(definition!, mustBeNew: true);
        if (result.Errors is [{ Field: "id" } conflict] && definition?.Id is { } id && campaigns.Current.Get(id) is not null)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Campaign exists", conflict.Message, result.Errors);
        }

        return result.Campaign is { } created
            ? TypedResults.Created($"/v1/campaigns/{Uri.EscapeDataString(created.Id)}", created.Definition)
            : Invalid(result.Errors);
    }

    private static async Task<IResult> PutCampaign(string id, HttpContext context, ApiServices api, CampaignRepository campaigns)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        var (definition, problem) = await ReadAsync(context, api, CampaignApiJsonContext.Default.CampaignDefinition);
        if (problem is not null)
        {
            return problem;
        }

        if (definition!.Id is { } bodyId && !string.Equals(bodyId, id, StringComparison.Ordinal))
        {
            return Problems.InvalidField("id", $"'{bodyId}' differs from the id in the URL ('{id}')");
        }

        var result = campaigns.Save(definition with { Id = id });
        if (result.Campaign is not { } saved)
        {
            return Invalid(result.Errors);
        }

        return result.Created
            ? TypedResults.Created($"/v1/campaigns/{Uri.EscapeDataString(saved.Id)}", saved.Definition)
            : TypedResults.Ok(saved.Definition);
    }

    private static IResult GetCampaign(string id, ApiServices api, CampaignRepository campaigns, CampaignPolicies policies)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        if (campaigns.Current.Get(id) is not { } campaign)
        {
            return Problems.NotFound($"No campaign '{id}'.");
        }

        var policy = policies.Find(campaign) ?? policies.For(campaign);
        var variants = new List<VariantStatsDocument>(campaign.Variants.Count);
        for (var i = 0; i < campaign.Variants.Count; i++)
        {
            var decisions = policy.Decisions(i);
            var rewards = policy.Rewards(i);
            variants.Add(new VariantStatsDocument(campaign.Variants[i].Id, decisions, rewards, decisions > 0 ? rewards / decisions : null));
        }

        return TypedResults.Ok(new CampaignDetailDocument(
            campaign.Definition,
            new CampaignStatsDocument(campaign.PolicySpec, campaign.ContextDimension > 0, variants)));
    }

    private static IResult DeleteCampaign(string id, ApiServices api, CampaignRepository campaigns)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        return campaigns.Delete(id) ? TypedResults.NoContent() : Problems.NotFound($"No campaign '{id}'.");
    }

    private static async Task<IResult> Decide(
        HttpContext context, ApiServices api, DecisionService decisions, IOptions<AttuneOptions> options, IOptions<JsonOptions> json)
    {
        var (raw, bodyProblem) = await RequestBody.ReadAsync(context, api.Limits.MaxBodyBytes);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        // The context values of the fast read point into this document: it lives until the decisions are made.
        JsonDocument? document;
        DecideRequestDocument? body;
        IResult? problem;
        try
        {
            document = DecideRequestReader.TryRead(raw.Buffer, api.Limits.MaxJsonDepth, out body);
            problem = body is null ? Parse(raw, api, CampaignApiJsonContext.Default.DecideRequestDocument, out body) : null;
        }
        finally
        {
            raw.Release();
        }

        using var owned = document;
        if (problem is not null)
        {
            return problem;
        }

        var errors = Validate(body!, api.Limits, options.Value.Campaigns);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var placements = new string[body!.Placements!.Count];
        for (var i = 0; i < placements.Length; i++)
        {
            placements[i] = body.Placements[i]!;
        }

        var result = await decisions.DecideAsync(new DecisionRequest(body.UserId!, placements, body.Context), context.RequestAborted);
        return DecideResponseWriter.Result(body.UserId!, result, json.Value.SerializerOptions);
    }

    private static List<ValidationError> Validate(DecideRequestDocument body, LimitOptions limits, CampaignOptions options)
    {
        var errors = new List<ValidationError>();
        if (body.UserId is null)
        {
            errors.Add(new ValidationError(null, "userId", "required"));
        }
        else if (WireIds.Check(body.UserId, limits.MaxIdLength) is { } message)
        {
            errors.Add(new ValidationError(null, "userId", message));
        }

        if (body.Placements is not { Count: > 0 } placements)
        {
            errors.Add(new ValidationError(null, "placements", "at least one placement is required"));
        }
        else if (placements.Count > options.MaxPlacementsPerRequest)
        {
            errors.Add(new ValidationError(null, "placements", $"at most {options.MaxPlacementsPerRequest} placements per request (Attune:Campaigns:MaxPlacementsPerRequest)"));
        }
        else
        {
            for (var i = 0; i < placements.Count; i++)
            {
                if (placements[i] is not { } p)
                {
                    errors.Add(new ValidationError(null, $"placements[{i}]", "must be a placement name"));
                }
                else if (WireIds.Check(p, limits.MaxIdLength) is { } message)
                {
                    errors.Add(new ValidationError(null, $"placements[{i}]", message));
                }
            }
        }

        if (body.Context is { } context)
        {
            if (context.Count > limits.MaxPropertyCount)
            {
                errors.Add(new ValidationError(null, "context", $"at most {limits.MaxPropertyCount} values"));
            }

            foreach (var (key, value) in context)
            {
                var ok = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString()!.Length <= limits.MaxStringLength,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
                    _ => false,
                };
                if (!ok)
                {
                    errors.Add(new ValidationError(null, $"context.{key}", $"must be a string (at most {limits.MaxStringLength} characters), a number or a boolean"));
                }
            }
        }

        return errors;
    }

    private static ProblemHttpResult Invalid(IReadOnlyList<ValidationError> errors) =>
        Problems.Create(
            StatusCodes.Status400BadRequest,
            "Invalid request body",
            errors.Count == 1 ? $"'{errors[0].Key}': {errors[0].Message}" : $"{errors.Count} problems; nothing was written: " + string.Join("; ", errors.Take(5).Select(e => $"'{e.Key}': {e.Message}")),
            errors);

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
            var invalid = Parse(body, api, type, out var value);
            return (invalid is null ? value : null, invalid);
        }
        finally
        {
            body.Release();
        }
    }

    /// <summary>Deserializes the buffered body; the problem names the field when it is not a valid <typeparamref name="T"/>.</summary>
    private static IResult? Parse<T>(RequestBody body, ApiServices api, JsonTypeInfo<T> type, out T? value)
        where T : class
    {
        value = null;
        try
        {
            var reader = new Utf8JsonReader(body.Buffer, new JsonReaderOptions { MaxDepth = api.Limits.MaxJsonDepth });
            value = JsonSerializer.Deserialize(ref reader, type);
            return value is null ? Problems.InvalidField(string.Empty, "the body must be a JSON object") : null;
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 0 } path ? path.TrimStart('$').TrimStart('.') : string.Empty;
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request body",
                $"'{field}': {Clean(ex.Message)}", [new ValidationError(null, field, Clean(ex.Message))]);
        }
    }

    // The serializer's messages end with the path and position, which the problem already names.
    private static string Clean(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
