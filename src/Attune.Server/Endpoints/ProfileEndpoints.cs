using System.Globalization;
using System.Text;
using System.Text.Json;
using Attune.Engine.Options;
using Attune.Engine.Profiles;
using Attune.Engine.Segments;
using Attune.Server.Hosting;
using Attune.Server.Http;

namespace Attune.Server.Endpoints;

/// <summary><c>GET /v1/users/{id}/profile</c> and the rule segments under <c>/v1/segments</c>.</summary>
public static class ProfileEndpoints
{
    private const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapProfileEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/v1/users").WithTags("Profiles").WithMetadata(new RequiredScope(ApiScope.Admin));
        users.MapGet("{id}/profile", GetProfile)
            .WithName("GetProfile")
            .WithSummary("A user's live profile: interests, RFM, engagement, lifecycle stage and predicted scores")
            .WithDescription("404 when nothing is known about the user; for a user who refused personalization, 200 with only the fact that no profile is kept.");
        users.MapGet("{id}/segments", GetUserSegments)
            .WithName("GetUserSegments")
            .WithSummary("The segments a user is in now");

        var segments = app.MapGroup("/v1/segments").WithTags("Segments").WithMetadata(new RequiredScope(ApiScope.Admin));
        segments.MapGet("", ListSegments).WithName("ListSegments").WithSummary("Every segment with its current size");
        segments.MapPost("", CreateSegment)
            .WithName("CreateSegment")
            .WithSummary("Create or replace a rule segment: {\"name\", \"rule\", \"description\"}")
            .WithDescription("The rule is a condition over profile fields in the expression language (docs/profiles.md); a bad rule is a 400 naming the field and the column.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        segments.MapPost("preview", PreviewSegment)
            .WithName("PreviewSegment")
            .WithSummary("How many profiles a rule selects now, without saving it: {\"rule\"}")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        segments.MapPost("evaluate", EvaluateSegments)
            .WithName("EvaluateSegments")
            .WithSummary("Re-evaluate every segment over every profile now (a batch) and record the sizes");
        segments.MapGet("{name}", GetSegment).WithName("GetSegment").WithSummary("One segment with its size");
        segments.MapDelete("{name}", DeleteSegment).WithName("DeleteSegment").WithSummary("Delete a segment and its history");
        segments.MapGet("{name}/members", ListMembers)
            .WithName("ListSegmentMembers")
            .WithSummary("Members in user id order, paged: ?cursor=LAST_ID&limit=100 (at most 1000)");
        segments.MapGet("{name}/export", ExportMembers)
            .WithName("ExportSegmentMembers")
            .WithSummary("Every member as CSV with the main profile fields");
        segments.MapGet("{name}/history", SegmentHistory)
            .WithName("SegmentHistory")
            .WithSummary("The segment's size over time, oldest first");
        return app;
    }

    private static IResult GetProfile(string id, ApiServices api, IServiceProvider services)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        if (services.GetService<ProfileService>() is not { } profiles)
        {
            return Disabled();
        }

        if (profiles.IsSuppressed(id))
        {
            return new WireJsonResult(w =>
            {
                w.WriteStartObject();
                w.WriteString("userId"u8, id);
                w.WriteBoolean("personalization"u8, false);
                w.WriteString("detail"u8, "The user refused personalization; no profile is kept.");
                w.WriteEndObject();
            });
        }

        return profiles.Get(id) is { } profile
            ? new WireJsonResult(w => ProfileJson.Write(w, profile))
            : Problems.NotFound($"No profile for user '{id}'.");
    }

    private static IResult GetUserSegments(string id, ApiServices api, IServiceProvider services)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        var names = segments.SegmentsOf(id);
        return new WireJsonResult(w =>
        {
            w.WriteStartObject();
            w.WriteString("userId"u8, id);
            w.WriteStartArray("segments"u8);
            foreach (var n in names)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static IResult ListSegments(IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        var list = segments.List();
        return new WireJsonResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("segments"u8);
            foreach (var s in list)
            {
                WriteSegment(w, s);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> CreateSegment(HttpContext context, ApiServices api, IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        var (fields, problem) = await ReadFields(context, api, "name", "rule", "description");
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var info = segments.Save(fields["name"], fields["rule"], fields["description"]);
            return new WireJsonResult(w => WriteSegment(w, info), StatusCodes.Status201Created);
        }
        catch (SegmentException ex)
        {
            return Problems.InvalidField(ex.Field, ex.Message);
        }
    }

    private static async Task<IResult> PreviewSegment(HttpContext context, ApiServices api, IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        var (fields, problem) = await ReadFields(context, api, "rule");
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var (size, total, sample) = segments.Preview(fields["rule"]);
            return new WireJsonResult(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("size"u8, size);
                w.WriteNumber("profiles"u8, total);
                w.WriteStartArray("sample"u8);
                foreach (var id in sample)
                {
                    w.WriteStringValue(id);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
        catch (SegmentException ex)
        {
            return Problems.InvalidField(ex.Field, ex.Message);
        }
    }

    private static IResult EvaluateSegments(IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        segments.EvaluateAll();
        return ListSegments(services);
    }

    private static IResult GetSegment(string name, IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        return segments.Get(name) is { } info ? new WireJsonResult(w => WriteSegment(w, info)) : NoSegment(name);
    }

    private static IResult DeleteSegment(string name, IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        return segments.Delete(name) ? TypedResults.NoContent() : NoSegment(name);
    }

    private static IResult ListMembers(string name, string? cursor, string? limit, IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        var size = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            return Problems.InvalidField("limit", $"limit must be a whole number from 1 to {MaxPageSize} (got '{limit}').");
        }

        if (segments.Members(name, cursor, size) is not { } page)
        {
            return NoSegment(name);
        }

        return new WireJsonResult(w =>
        {
            w.WriteStartObject();
            w.WriteString("segment"u8, name);
            w.WriteNumber("total"u8, page.Total);
            w.WriteStartArray("userIds"u8);
            foreach (var id in page.UserIds)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            if (page.NextCursor is { } next)
            {
                w.WriteString("nextCursor"u8, next);
            }
            else
            {
                w.WriteNull("nextCursor"u8);
            }

            w.WriteEndObject();
        });
    }

    private static IResult ExportMembers(string name, IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        var sw = new StringWriter(CultureInfo.InvariantCulture);
        return segments.ExportCsv(name, sw)
            ? TypedResults.File(Encoding.UTF8.GetBytes(sw.ToString()), "text/csv; charset=utf-8", $"{name}.csv")
            : NoSegment(name);
    }

    private static IResult SegmentHistory(string name, IServiceProvider services)
    {
        if (services.GetService<SegmentService>() is not { } segments)
        {
            return Disabled();
        }

        if (segments.History(name) is not { } history)
        {
            return NoSegment(name);
        }

        return new WireJsonResult(w =>
        {
            w.WriteStartObject();
            w.WriteString("segment"u8, name);
            w.WriteStartArray("sizes"u8);
            foreach (var h in history)
            {
                w.WriteStartObject();
                w.WriteString("at"u8, h.At.ToUniversalTime());
                w.WriteNumber("size"u8, h.Size);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteSegment(Utf8JsonWriter w, SegmentInfo s)
    {
        w.WriteStartObject();
        w.WriteString("name"u8, s.Definition.Name);
        w.WriteString("rule"u8, s.Definition.Rule);
        if (s.Definition.Description is { } d)
        {
            w.WriteString("description"u8, d);
        }

        w.WriteNumber("size"u8, s.Size);
        w.WriteString("created"u8, s.Definition.Created.ToUniversalTime());
        w.WriteString("updated"u8, s.Definition.Updated.ToUniversalTime());
        if (s.EvaluatedAt is { } at)
        {
            w.WriteString("evaluatedAt"u8, at.ToUniversalTime());
        }

        if (s.Error is { } error)
        {
            w.WriteString("error"u8, error);
        }

        w.WriteEndObject();
    }

    /// <summary>Reads a JSON object whose listed properties are strings (or null); anything else is a 400 naming the field.</summary>
    private static async Task<(Dictionary<string, string?> Fields, IResult? Problem)> ReadFields(HttpContext context, ApiServices api, params string[] names)
    {
        var fields = names.ToDictionary(n => n, _ => (string?)null, StringComparer.Ordinal);
        var (body, problem) = await RequestBody.ReadAsync(context, api.Limits.MaxBodyBytes);
        if (problem is not null)
        {
            return (fields, problem);
        }

        try
        {
            var reader = new Utf8JsonReader(body.Buffer, new JsonReaderOptions { MaxDepth = api.Limits.MaxJsonDepth });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (fields, Problems.InvalidField("body", "the body must be a JSON object."));
            }

            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!fields.ContainsKey(p.Name))
                {
                    return (fields, Problems.InvalidField(p.Name, $"unknown field; expected {string.Join(", ", names)}."));
                }

                if (p.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    return (fields, Problems.InvalidField(p.Name, "must be a string."));
                }

                fields[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
            }

            return (fields, null);
        }
        catch (JsonException ex)
        {
            return (fields, Problems.InvalidField("body", $"the body is not valid JSON: {ex.Message}"));
        }
        finally
        {
            body.Release();
        }
    }

    private static IResult NoSegment(string name) => Problems.NotFound($"No segment '{name}'.");

    private static IResult Disabled() => Problems.NotFound("Profiles are disabled (Attune:Profiles:Enabled is false).");
}
