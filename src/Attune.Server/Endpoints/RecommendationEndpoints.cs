using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Attune.Engine.Options;
using Attune.Engine.Recommendations;
using Attune.Engine.Serving;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.Extensions.Options;

namespace Attune.Server.Endpoints;

/// <summary>
/// Recommendations, similar items, popular and trending items (the <c>ingest</c> key may read them: a web page
/// embeds it), and the online metrics of a model version (<c>admin</c>).
/// </summary>
public static partial class RecommendationEndpoints
{
    private const int MaxSimilar = 100;

    public static IEndpointRouteBuilder MapRecommendationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Recommendations").WithMetadata(new RequiredScope(ApiScope.Ingest));
        group.MapGet("recommendations/{userId}", GetRecommendations)
            .WithName("GetRecommendations")
            .WithSummary("Ranked, explained recommendations for one user")
            .WithDescription("Query: n (1-100), filter (expression), boost ([factor:]expression, repeatable), bury (expression, repeatable), " +
                "pin (position:expression, repeatable), diversity (MMR lambda 0-1), maxPerCategory, exploration (share 0-0.5), " +
                "exclude (item ids, comma-separated or repeated), cursor (next page of an earlier list), context.category. " +
                "With no model yet, or for users without history or consent, the list is trending and popular items and says so.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("recommendations", PostRecommendations)
            .WithName("PostRecommendations")
            .WithSummary("Recommendations for many users at once (e.g. an e-mail campaign)")
            .WithDescription("Body: {\"users\": [ids], \"n\", \"filter\", \"boost\": [..], \"bury\": [..], \"pin\": [..], \"diversity\", " +
                "\"maxPerCategory\", \"exploration\", \"exclude\": [ids], \"context\": {\"category\"}}.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("items/{id}/similar", GetSimilar)
            .WithName("GetSimilarItems")
            .WithSummary("Items like this one (content neighbours for an item newer than the model)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("popular", (HttpContext c, RecommendationService s, ApiServices api) => GetPopular(c, s, api, trending: false))
            .WithName("GetPopular")
            .WithSummary("Most popular items, optionally in a category (category= or context.category=)");
        group.MapGet("trending", (HttpContext c, RecommendationService s, ApiServices api) => GetPopular(c, s, api, trending: true))
            .WithName("GetTrending")
            .WithSummary("Trending items (recent interactions decayed by age), optionally in a category");
        app.MapGet("/v1/models/{version}/metrics", GetMetrics)
            .WithTags("Models")
            .WithMetadata(new RequiredScope(ApiScope.Admin))
            .WithName("GetModelMetrics")
            .WithSummary("Online metrics of a model version: impressions, clicks, purchases, CTR and conversion, in total and per source");
        return app;
    }

    private static async Task<IResult> GetRecommendations(string userId, HttpContext context, RecommendationService service, ApiServices api)
    {
        if (api.CheckId(userId, "userId") is { } bad)
        {
            return bad;
        }

        var q = context.Request.Query;
        if (!TryCount(q["n"], "n", out var n, out var problem))
        {
            return problem!;
        }

        ParsedQuery? parsed = null;
        try
        {
            if (q["cursor"].ToString() is { Length: > 0 } cursor)
            {
                var next = service.NextPage(cursor, n);
                return Page(next, null);
            }

            parsed = Parse(userId, n, new QuerySource(q));
            if (parsed.Problem is not null)
            {
                return parsed.Problem;
            }

            var page = await service.RecommendAsync(parsed.Query!, context.RequestAborted);
            return Page(page, null);
        }
        catch (RecommendationRequestException e)
        {
            return Invalid(e, parsed);
        }
        catch (InvalidCursorException e)
        {
            return e.Problem is CursorProblem.Expired or CursorProblem.UnknownList
                ? Problems.Create(StatusCodes.Status410Gone, "Cursor expired", $"'cursor': {e.Message}; request the first page again.")
                : Problems.InvalidField("cursor", e.Message);
        }
    }

    private static async Task<IResult> PostRecommendations(HttpContext context, RecommendationService service, ApiServices api, IOptions<AttuneOptions> options)
    {
        var (body, problem) = await RequestBody.ReadAsync(context, api.Limits.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.Buffer, new JsonDocumentOptions { MaxDepth = api.Limits.MaxJsonDepth });
        }
        catch (JsonException e)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request body", $"The body is not valid JSON: {e.Message}");
        }
        finally
        {
            body.Release();
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("users", out var users) || users.ValueKind != JsonValueKind.Array)
            {
                return Problems.InvalidField("users", "the body must be an object with a \"users\" array of user ids.");
            }

            var max = options.Value.Serving.MaxBatchUsers;
            if (users.GetArrayLength() is 0 || users.GetArrayLength() > max)
            {
                return Problems.InvalidField("users", $"must hold 1 to {max} user ids (got {users.GetArrayLength()}).");
            }

            var ids = new List<string>();
            var k = 0;
            foreach (var u in users.EnumerateArray())
            {
                if (u.ValueKind != JsonValueKind.String || api.CheckId(u.GetString()!, $"users[{k}]") is { } badId)
                {
                    return api.CheckId(u.ValueKind == JsonValueKind.String ? u.GetString()! : string.Empty, $"users[{k}]")
                        ?? Problems.InvalidField($"users[{k}]", "must be a string user id.");
                }

                ids.Add(u.GetString()!);
                k++;
            }

            var source = new JsonSource(root);
            if (!TryCount(source.One("n"), "n", out var n, out var countProblem))
            {
                return countProblem!;
            }

            var parsed = Parse(ids[0], n, source);
            if (parsed.Problem is not null)
            {
                return parsed.Problem;
            }

            var pages = new List<(string User, RecommendationPage Page)>(ids.Count);
            try
            {
                foreach (var id in ids)
                {
                    pages.Add((id, await service.RecommendAsync(parsed.Query! with { UserId = id }, context.RequestAborted)));
                }
            }
            catch (RecommendationRequestException e)
            {
                return Invalid(e, parsed);
            }

            return new WireJsonResult(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("results"u8);
                foreach (var (user, page) in pages)
                {
                    WritePage(w, page, user);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
    }

    private static async Task<IResult> GetSimilar(string id, HttpContext context, RecommendationService service, ApiServices api)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        if (!TryCount(context.Request.Query["n"], "n", out var n, out var problem))
        {
            return problem!;
        }

        try
        {
            var list = await service.SimilarAsync(id, n, context.RequestAborted);
            return list is null ? Problems.NotFound($"No item '{id}'.") : ListResult(list);
        }
        catch (NoActiveModelException e)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "No model yet", e.Message);
        }
    }

    private static async Task<IResult> GetPopular(HttpContext context, RecommendationService service, ApiServices api, bool trending)
    {
        var q = context.Request.Query;
        if (!TryCount(q["n"], "n", out var n, out var problem))
        {
            return problem!;
        }

        var category = q["category"].ToString() is { Length: > 0 } c ? c : q["context.category"].ToString() is { Length: > 0 } cc ? cc : null;
        if (category is not null && api.CheckId(category, "category") is { } bad)
        {
            return bad;
        }

        return ListResult(await service.PopularAsync(trending, n, category, context.RequestAborted));
    }

    private static IResult GetMetrics(string version, RecommendationService service)
    {
        var m = service.Metrics.For(version);
        if (m is null)
        {
            return Problems.NotFound($"No recommendations were served by model version '{version}' (or none are remembered).");
        }

        return new WireJsonResult(w =>
        {
            w.WriteStartObject();
            w.WriteString("version"u8, m.Version);
            w.WriteNumber("listsServed"u8, m.ListsServed);
            w.WriteNumber("itemsServed"u8, m.ItemsServed);
            w.WritePropertyName("total"u8);
            WriteCounts(w, m.Total);
            w.WriteStartObject("bySource"u8);
            foreach (var (source, counts) in m.BySource)
            {
                w.WritePropertyName(source);
                WriteCounts(w, counts);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void WriteCounts(Utf8JsonWriter w, FeedbackCounts c)
    {
        w.WriteStartObject();
        w.WriteNumber("impressions"u8, c.Impressions);
        w.WriteNumber("clicks"u8, c.Clicks);
        w.WriteNumber("conversions"u8, c.Conversions);
        WriteRate(w, "ctr"u8, c.Ctr);
        WriteRate(w, "conversionRate"u8, c.ConversionRate);
        w.WriteEndObject();
    }

    private static void WriteRate(Utf8JsonWriter w, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static WireJsonResult Page(RecommendationPage page, string? user) => new(w => WritePage(w, page, user));

    private static void WritePage(Utf8JsonWriter w, RecommendationPage page, string? user)
    {
        w.WriteStartObject();
        if (user is not null)
        {
            w.WriteString("userId"u8, user);
        }

        w.WriteString("recommendationId"u8, page.RecommendationId);
        if (page.ModelVersion is null)
        {
            w.WriteNull("modelVersion"u8);
        }
        else
        {
            w.WriteString("modelVersion"u8, page.ModelVersion);
        }

        w.WriteBoolean("personalized"u8, page.Personalized);
        if (page.Fallback is not null)
        {
            w.WriteString("fallback"u8, page.Fallback);
        }

        w.WritePropertyName("items"u8);
        if (page.RenderedItems is { } slot)
        {
            // A cached list: every answer from it has the same items, so they are serialized once.
            var json = Volatile.Read(ref slot.Value);
            if (json is null)
            {
                var buffer = new ArrayBufferWriter<byte>(256 * Math.Max(1, page.Items.Count));
                using (var items = new Utf8JsonWriter(buffer))
                {
                    WriteItems(items, page.Items);
                }

                json = buffer.WrittenSpan.ToArray();
                Volatile.Write(ref slot.Value, json);
            }

            w.WriteRawValue(json, skipInputValidation: true);
        }
        else
        {
            WriteItems(w, page.Items);
        }

        if (page.NextCursor is null)
        {
            w.WriteNull("nextCursor"u8);
        }
        else
        {
            w.WriteString("nextCursor"u8, page.NextCursor);
        }

        w.WriteEndObject();
    }

    private static void WriteItems(Utf8JsonWriter w, IReadOnlyList<RecommendedItem> items)
    {
        w.WriteStartArray();
        foreach (var item in items)
        {
            w.WriteStartObject();
            w.WriteString("itemId"u8, item.ItemId);
            w.WriteNumber("position"u8, item.Position);
            w.WriteNumber("score"u8, Math.Round(item.Score, 6));
            w.WriteString("source"u8, item.Source);
            WriteReason(w, item.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static WireJsonResult ListResult(ItemList list) => new(w =>
    {
        w.WriteStartObject();
        if (list.ModelVersion is null)
        {
            w.WriteNull("modelVersion"u8);
        }
        else
        {
            w.WriteString("modelVersion"u8, list.ModelVersion);
        }

        w.WriteString("source"u8, list.Source);
        w.WriteStartArray("items"u8);
        foreach (var item in list.Items)
        {
            w.WriteStartObject();
            w.WriteString("itemId"u8, item.ItemId);
            w.WriteNumber("score"u8, Math.Round(item.Score, 6));
            WriteReason(w, item.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteReason(Utf8JsonWriter w, Reason? reason)
    {
        if (reason is null)
        {
            w.WriteNull("reason"u8);
            return;
        }

        w.WriteStartObject("reason"u8);
        w.WriteString("kind"u8, KindName(reason.Kind));
        w.WriteString("text"u8, reason.Text);
        if (reason.ItemId is not null)
        {
            w.WriteString("itemId"u8, reason.ItemId);
        }

        if (reason.Category is not null)
        {
            w.WriteString("category"u8, reason.Category);
        }

        w.WriteEndObject();
    }

    // The camelCase name of each kind, by value, computed once: per item it cost an enum and a string allocation.
    private static readonly JsonEncodedText[] KindNames = KindNamesByValue();

    private static JsonEncodedText[] KindNamesByValue()
    {
        var kinds = Enum.GetValues<ReasonKind>();
        var names = new JsonEncodedText[kinds.Max(k => (int)k) + 1];
        foreach (var k in kinds)
        {
            names[(int)k] = JsonEncodedText.Encode(JsonNamingPolicy.CamelCase.ConvertName(k.ToString()));
        }

        return names;
    }

    private static JsonEncodedText KindName(ReasonKind kind) =>
        (uint)kind < (uint)KindNames.Length ? KindNames[(int)kind] : JsonEncodedText.Encode(JsonNamingPolicy.CamelCase.ConvertName(kind.ToString()));

    private static bool TryCount(string? text, string field, out int n, out IResult? problem)
    {
        problem = null;
        n = 10;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out n) || n is < 1 or > MaxSimilar)
        {
            problem = Problems.InvalidField(field, $"must be a whole number from 1 to {MaxSimilar} (got '{text}').");
            return false;
        }

        return true;
    }

    private static IResult Invalid(RecommendationRequestException e, ParsedQuery? parsed)
    {
        // The pipeline names rules by their index in the request's rule list; name the parameter the client wrote.
        var field = e.Field;
        var message = e.Message.StartsWith(field + ": ", StringComparison.Ordinal) ? e.Message[(field.Length + 2)..] : e.Message;
        var match = RuleField().Match(field);
        if (match.Success && parsed?.RuleNames is { } names && int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) is var i && i < names.Count)
        {
            field = names[i];
        }

        if (field.StartsWith("diversity", StringComparison.Ordinal))
        {
            field = "diversity";
        }
        else if (field.StartsWith("exploration", StringComparison.Ordinal))
        {
            field = "exploration";
        }
        else if (field == "count")
        {
            field = "n";
        }

        var detail = e.Column is { } column ? $"{message} (column {column})" : message;
        return Problems.InvalidField(field, detail);
    }

    [GeneratedRegex(@"^rules\[(\d+)\]")]
    private static partial Regex RuleField();

    private static ParsedQuery Parse(string userId, int n, IParameterSource source)
    {
        var rules = new List<BusinessRule>();
        var names = new List<string>();
        var k = 0;
        foreach (var text in source.Many("boost"))
        {
            var field = $"boost[{k++}]";
            var (factor, expression) = SplitPrefix(text);
            if (factor is not null && (!double.TryParse(factor, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) || !double.IsFinite(f) || f < 0))
            {
                return new ParsedQuery(Problems.InvalidField(field, $"'{factor}' is not a boost factor; write factor:expression, e.g. 1.5:tags contains \"sale\"."));
            }

            rules.Add(BusinessRule.Boost(expression, factor is null ? 2.0 : double.Parse(factor, CultureInfo.InvariantCulture)));
            names.Add(field);
        }

        k = 0;
        foreach (var text in source.Many("bury"))
        {
            rules.Add(BusinessRule.Bury(text));
            names.Add($"bury[{k++}]");
        }

        k = 0;
        foreach (var text in source.Many("pin"))
        {
            var field = $"pin[{k++}]";
            var (position, expression) = SplitPrefix(text);
            if (position is null || !int.TryParse(position, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) || p < 0)
            {
                return new ParsedQuery(Problems.InvalidField(field, "write position:expression with a 0-based position, e.g. 0:id == \"promo\"."));
            }

            rules.Add(BusinessRule.Pin(expression, p));
            names.Add(field);
        }

        if (!TryDouble(source.One("diversity"), "diversity", 0, 1, out var lambda, out var problem)
            || !TryDouble(source.One("exploration"), "exploration", 0, 0.5, out var share, out problem)
            || !TryDouble(source.One("maxPerCategory"), "maxPerCategory", 0, 1000, out var cap, out problem))
        {
            return new ParsedQuery(problem);
        }

        var exclude = new List<string>();
        foreach (var text in source.Many("exclude"))
        {
            foreach (var id in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                exclude.Add(id);
            }
        }

        var category = source.One("context.category") ?? source.One("category");
        var filter = source.One("filter");
        return new ParsedQuery(null)
        {
            RuleNames = names,
            Query = new RecommendationQuery(
                userId,
                n,
                string.IsNullOrWhiteSpace(filter) ? null : filter,
                rules,
                lambda,
                cap is { } c ? (int)c : null,
                share,
                exclude,
                string.IsNullOrEmpty(category) ? null : category),
        };
    }

    private static bool TryDouble(string? text, string field, double min, double max, out double? value, out IResult? problem)
    {
        value = null;
        problem = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v >= min && v <= max))
        {
            problem = Problems.InvalidField(field, $"must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)} (got '{text}').");
            return false;
        }

        value = v;
        return true;
    }

    /// <summary>"1.5:expr" into ("1.5", "expr"); text without a numeric prefix is all expression.</summary>
    private static (string? Prefix, string Body) SplitPrefix(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && NumberPrefix().IsMatch(text[..colon]))
        {
            return (text[..colon].Trim(), text[(colon + 1)..]);
        }

        return (null, text);
    }

    [GeneratedRegex(@"^\s*[0-9]+(\.[0-9]+)?\s*$")]
    private static partial Regex NumberPrefix();

    private sealed record ParsedQuery(IResult? Problem)
    {
        public RecommendationQuery? Query { get; init; }

        public IReadOnlyList<string>? RuleNames { get; init; }
    }

    private interface IParameterSource
    {
        string? One(string name);

        IEnumerable<string> Many(string name);
    }

    private sealed class QuerySource(IQueryCollection query) : IParameterSource
    {
        public string? One(string name) => query[name].ToString() is { Length: > 0 } s ? s : null;

        public IEnumerable<string> Many(string name)
        {
            foreach (var v in query[name])
            {
                if (!string.IsNullOrWhiteSpace(v))
                {
                    yield return v;
                }
            }
        }
    }

    private sealed class JsonSource(JsonElement root) : IParameterSource
    {
        public string? One(string name)
        {
            var element = root;
            if (name.StartsWith("context.", StringComparison.Ordinal))
            {
                if (!root.TryGetProperty("context", out element) || element.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                name = name["context.".Length..];
            }

            if (!element.TryGetProperty(name, out var v))
            {
                return null;
            }

            return v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            };
        }

        public IEnumerable<string> Many(string name)
        {
            if (!root.TryGetProperty(name, out var v))
            {
                yield break;
            }

            if (v.ValueKind == JsonValueKind.String)
            {
                yield return v.GetString()!;
            }
            else if (v.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in v.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.String)
                    {
                        yield return e.GetString()!;
                    }
                }
            }
        }
    }
}
