using Attune.Engine.Privacy;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attune.Server.Endpoints;

public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users").WithTags("Users").WithMetadata(new RequiredScope(ApiScope.Admin));
        group.MapPut("{id}", PutUser)
            .WithName("PutUser")
            .WithSummary("Create or update a user's attributes and consent")
            .WithDescription("Absent parts keep their stored value. The server records when each consent choice is first stated or changed.")
            .Accepts<UserDocument>("application/json")
            .Produces<UserResponseDocument>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("{id}", GetUser)
            .WithName("GetUser")
            .WithSummary("Read a user's attributes and consent")
            .Produces<UserResponseDocument>();
        group.MapDelete("{id}", EraseUser)
            .WithName("EraseUser")
            .WithSummary("Erase everything stored about a user (right to erasure)")
            .WithDescription("Removes the user record and all their events in one transaction, then everything derived from them (profile, predictions, segment membership). Answers 204 whether or not anything was stored.");
        group.MapGet("{id}/export", ExportUser)
            .WithName("ExportUser")
            .WithSummary("Export everything stored about a user (right of access)")
            .Produces<UserExportDocument>();
        return app;
    }

    private static async Task<IResult> PutUser(string id, HttpContext context, ApiServices api, UserDataFeed userData)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        var (body, problem) = await RequestBody.ReadAsync(context, api.Limits.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        var now = DateTimeOffset.UtcNow;
        ParseResult<UserUpdate> parsed;
        try
        {
            parsed = UserJsonReader.Read(body.Buffer, id, api.Limits, now);
        }
        finally
        {
            body.Release();
        }

        if (!parsed.IsValid)
        {
            return Problems.Invalid(parsed);
        }

        var existing = await api.Store.Users.GetAsync(id, context.RequestAborted);
        var user = UserMerge.Apply(existing, parsed.Values[0], now);
        await api.Store.Users.UpsertAsync([user], context.RequestAborted);
        userData.Changed(user);
        return new WireJsonResult(w => WireJson.WriteUser(w, user));
    }

    private static async Task<IResult> GetUser(string id, HttpContext context, ApiServices api)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        var user = await api.Store.Users.GetAsync(id, context.RequestAborted);
        return user is null
            ? Problems.NotFound($"No user '{id}'.")
            : new WireJsonResult(w => WireJson.WriteUser(w, user));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EraseUser(string id, HttpContext context, ApiServices api, UserDataFeed userData)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        // Erasure must not stop half-way because the caller hung up.
        await api.Store.Users.EraseAsync(id, CancellationToken.None);
        await userData.EraseAsync(id, CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ExportUser(string id, HttpContext context, ApiServices api, UserDataFeed userData)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        var export = await api.Store.Users.ExportAsync(id, context.RequestAborted);
        var exportedAt = export?.ExportedAt ?? DateTimeOffset.UtcNow;
        return new WireJsonResult(w =>
        {
            w.WriteStartObject();
            w.WriteString("userId"u8, id);
            w.WritePropertyName("user"u8);
            if (export?.User is { } user)
            {
                WireJson.WriteUser(w, user);
            }
            else
            {
                w.WriteNullValue();
            }

            w.WriteStartArray("events"u8);
            foreach (var e in export?.Events ?? [])
            {
                WireJson.WriteEvent(w, e);
            }

            w.WriteEndArray();
            w.WriteString("exportedAt"u8, exportedAt.ToUniversalTime());

            // Derived data (the profile) comes last: it is computed as of now, like exportedAt.
            userData.WriteExport(id, w);
            w.WriteEndObject();
        });
    }
}
