using Attune.Core;
using Attune.Engine.Feedback;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Server.Hosting;
using Attune.Server.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attune.Server.Endpoints;

public static class ItemEndpoints
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapItemEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/items").WithTags("Items").WithMetadata(new RequiredScope(ApiScope.Admin));
        group.MapPut("{id}", PutItem)
            .WithName("PutItem")
            .WithSummary("Create or replace one catalog item")
            .Accepts<ItemDocument>("application/json")
            .Produces<ItemDocument>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost(string.Empty, PostItems)
            .WithName("PostItems")
            .WithSummary("Create or replace a batch of items (all or nothing)")
            .Accepts<ItemDocument[]>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("{id}", GetItem)
            .WithName("GetItem")
            .WithSummary("Read one catalog item")
            .Produces<ItemDocument>();
        group.MapGet(string.Empty, ListItems)
            .WithName("ListItems")
            .WithSummary("Page through the catalog in id order")
            .Produces<ItemPageDocument>();
        group.MapDelete("{id}", DeleteItem)
            .WithName("DeleteItem")
            .WithSummary("Remove an item from the catalog");
        return app;
    }

    private static async Task<IResult> PutItem(string id, HttpContext context, ApiServices api, CatalogFeed catalogFeed)
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

        ParseResult<Item> parsed;
        try
        {
            parsed = ItemJsonReader.ReadOne(body.Buffer, id, api.Limits, DateTimeOffset.UtcNow);
        }
        finally
        {
            body.Release();
        }

        if (!parsed.IsValid)
        {
            return Problems.Invalid(parsed);
        }

        var item = parsed.Values[0];
        await api.Store.Catalog.UpsertAsync([item], context.RequestAborted);
        catalogFeed.Upserted([item]);
        return new WireJsonResult(w => WireJson.WriteItem(w, item));
    }

    private static async Task<Results<Ok<UpsertResponse>, ProblemHttpResult>> PostItems(HttpContext context, ApiServices api, CatalogFeed catalogFeed)
    {
        var (body, problem) = await RequestBody.ReadAsync(context, api.Limits.MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        ParseResult<Item> parsed;
        try
        {
            parsed = ItemJsonReader.ReadBatch(body.Buffer, api.Limits, DateTimeOffset.UtcNow);
        }
        finally
        {
            body.Release();
        }

        if (!parsed.IsValid)
        {
            return Problems.Invalid(parsed);
        }

        var duplicate = FirstDuplicateId(parsed.Values);
        if (duplicate >= 0)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request body",
                $"'[{duplicate}].id': item '{parsed.Values[duplicate].Id}' appears twice in the batch; nothing was written.",
                [new ValidationError(duplicate, "id", $"'{parsed.Values[duplicate].Id}' appears earlier in the batch.")]);
        }

        await api.Store.Catalog.UpsertAsync(parsed.Values, context.RequestAborted);
        catalogFeed.Upserted(parsed.Values);
        return TypedResults.Ok(new UpsertResponse(parsed.Values.Count));
    }

    private static async Task<IResult> GetItem(string id, HttpContext context, ApiServices api)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        var item = await api.Store.Catalog.GetAsync(id, context.RequestAborted);
        return item is null
            ? Problems.NotFound($"No item '{id}'.")
            : new WireJsonResult(w => WireJson.WriteItem(w, item));
    }

    private static async Task<IResult> ListItems(string? cursor, string? limit, HttpContext context, ApiServices api)
    {
        var size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > MaxPageSize))
        {
            return Problems.InvalidField("limit", $"must be a whole number from 1 to {MaxPageSize}.");
        }

        if (cursor is not null && api.CheckId(cursor, "cursor") is { } bad)
        {
            return bad;
        }

        var page = await api.Store.Catalog.ListAsync(cursor, size, context.RequestAborted);
        return new WireJsonResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("items"u8);
            foreach (var item in page.Items)
            {
                WireJson.WriteItem(w, item);
            }

            w.WriteEndArray();
            if (page.NextCursor is null)
            {
                w.WriteNull("nextCursor"u8);
            }
            else
            {
                w.WriteString("nextCursor"u8, page.NextCursor);
            }

            w.WriteEndObject();
        });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteItem(string id, HttpContext context, ApiServices api, CatalogFeed catalogFeed)
    {
        if (api.CheckId(id) is { } bad)
        {
            return bad;
        }

        if (!await api.Store.Catalog.DeleteAsync(id, context.RequestAborted))
        {
            return Problems.NotFound($"No item '{id}'.");
        }

        catalogFeed.Deleted(id);
        return TypedResults.NoContent();
    }

    private static int FirstDuplicateId(IReadOnlyList<Item> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (!seen.Add(items[i].Id))
            {
                return i;
            }
        }

        return -1;
    }
}
