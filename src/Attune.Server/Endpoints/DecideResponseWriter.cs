using System.Text.Json;
using Attune.Engine.Campaigns;

namespace Attune.Server.Endpoints;

/// <summary>
/// Writes the <c>POST /v1/decide</c> answer (<see cref="DecideResponseDocument"/>) straight to the response, byte for
/// byte what the serializer writes with the API's JSON options (camelCase names, nulls included), without its
/// metadata-driven object walk: the decide path is hot, and its answer is small and flat.
/// </summary>
public static class DecideResponseWriter
{
    /// <param name="options">The API's serializer options, for their encoder (what the serializer escapes).</param>
    public static IResult Result(string userId, IReadOnlyList<Decision> decisions, JsonSerializerOptions options) =>
        new DecideResult(userId, decisions, new JsonWriterOptions { Encoder = options.Encoder });

    public static void Write(Utf8JsonWriter w, string userId, IReadOnlyList<Decision> decisions)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(decisions);
        w.WriteStartObject();
        w.WriteString("userId"u8, userId);
        w.WriteStartArray("decisions"u8);
        foreach (var d in decisions)
        {
            w.WriteStartObject();
            w.WriteString("placement"u8, d.Placement);
            w.WriteString("decisionId"u8, d.DecisionId);
            w.WriteString("campaignId"u8, d.CampaignId);
            w.WriteString("variantId"u8, d.VariantId);
            if (d.Propensity is { } p)
            {
                w.WriteNumber("propensity"u8, p);
            }
            else
            {
                w.WriteNull("propensity"u8);
            }

            w.WriteString("content"u8, d.Content);
            w.WriteBoolean("truncated"u8, d.Truncated);
            w.WriteStartArray("items"u8);
            for (var i = 0; i < d.Items.Count; i++)
            {
                w.WriteStringValue(d.Items[i]);
            }

            w.WriteEndArray();
            w.WriteString("reason"u8, d.Reason);
            w.WriteString("detail"u8, d.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private sealed class DecideResult(string userId, IReadOnlyList<Decision> decisions, JsonWriterOptions options) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            await using (var writer = new Utf8JsonWriter(response.BodyWriter, options))
            {
                Write(writer, userId, decisions);
            }

            await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
        }
    }
}
