using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Attune.Core;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Storage;

namespace Attune.Client;

/// <summary>What the server answered to a batch of events.</summary>
public readonly record struct IngestResult(int Accepted, int Duplicates);

/// <summary>
/// A typed client for the Attune HTTP API (what <c>attune import</c> and <c>attune stats</c> use). Errors
/// surface as <see cref="AttuneApiException"/> carrying the server's problem details.
/// </summary>
public sealed class AttuneClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    // Responses come from a server that already checked them: read them with generous limits.
    private static readonly LimitOptions ResponseLimits = new()
    {
        MaxBatchSize = int.MaxValue / 2,
        MaxStringLength = 64 * 1024 * 1024,
        MaxPropertyCount = 100_000,
        MaxJsonDepth = 64,
        MaxFutureSkew = TimeSpan.FromDays(365 * 100),
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Wraps an <see cref="HttpClient"/> whose BaseAddress points at the server (and which carries any auth header).</summary>
    public AttuneClient(HttpClient http)
    {
        _http = http;
    }

    /// <summary>A client of its own for <paramref name="baseAddress"/>, sending <paramref name="apiKey"/> as a bearer token.</summary>
    public AttuneClient(Uri baseAddress, string? apiKey = null)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        _ownsHttp = true;
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    /// <summary>Posts events as one batch (all or nothing on the server). Keep batches within the server's MaxBatchSize.</summary>
    public async Task<IngestResult> PostEventsAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        using var content = Body(w =>
        {
            w.WriteStartArray();
            foreach (var e in events)
            {
                WireJson.WriteEvent(w, e);
            }

            w.WriteEndArray();
        });
        using var response = await _http.PostAsync("v1/events", content, cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        return new IngestResult(doc.RootElement.GetProperty("accepted").GetInt32(), doc.RootElement.GetProperty("duplicates").GetInt32());
    }

    /// <summary>Creates or replaces items in one batch; returns how many were written.</summary>
    public async Task<int> UpsertItemsAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken = default)
    {
        using var content = Body(w =>
        {
            w.WriteStartArray();
            foreach (var item in items)
            {
                WireJson.WriteItem(w, item);
            }

            w.WriteEndArray();
        });
        using var response = await _http.PostAsync("v1/items", content, cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        return doc.RootElement.GetProperty("upserted").GetInt32();
    }

    public async Task<Item> PutItemAsync(Item item, CancellationToken cancellationToken = default)
    {
        using var content = Body(w => WireJson.WriteItem(w, item));
        using var response = await _http.PutAsync($"v1/items/{Uri.EscapeDataString(item.Id)}", content, cancellationToken);
        return ParseItem(await ReadBytesAsync(response, cancellationToken));
    }

    /// <summary>The item, or null when the server has none with that id.</summary>
    public async Task<Item?> GetItemAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"v1/items/{Uri.EscapeDataString(id)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return ParseItem(await ReadBytesAsync(response, cancellationToken));
    }

    /// <summary>One page of the catalog in id order.</summary>
    public async Task<ItemPage> ListItemsAsync(string? cursor = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        var query = $"v1/items?limit={limit}" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
        using var response = await _http.GetAsync(query, cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        var items = new List<Item>();
        foreach (var element in doc.RootElement.GetProperty("items").EnumerateArray())
        {
            items.Add(ParseItem(JsonSerializer.SerializeToUtf8Bytes(element)));
        }

        var next = doc.RootElement.GetProperty("nextCursor");
        return new ItemPage(items, next.ValueKind == JsonValueKind.String ? next.GetString() : null);
    }

    /// <summary>Returns false when there was no such item.</summary>
    public async Task<bool> DeleteItemAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"v1/items/{Uri.EscapeDataString(id)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Sets attributes and/or consent choices; the server stamps the time of each consent change.</summary>
    public async Task<User> PutUserAsync(UserUpdate update, CancellationToken cancellationToken = default)
    {
        using var content = Body(w => WireJson.WriteUserUpdate(w, update));
        using var response = await _http.PutAsync($"v1/users/{Uri.EscapeDataString(update.Id)}", content, cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        return ParseUser(doc.RootElement);
    }

    public async Task<User?> GetUserAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"v1/users/{Uri.EscapeDataString(id)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        using var doc = await ReadJsonAsync(response, cancellationToken);
        return ParseUser(doc.RootElement);
    }

    /// <summary>Erases everything the server stores about the user.</summary>
    public async Task EraseUserAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"v1/users/{Uri.EscapeDataString(id)}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Everything stored about the user (user null and no events when nothing is).</summary>
    public async Task<UserExport> ExportUserAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"v1/users/{Uri.EscapeDataString(id)}/export", cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        var root = doc.RootElement;
        var user = root.GetProperty("user");
        var eventsJson = JsonSerializer.SerializeToUtf8Bytes(root.GetProperty("events"));
        var events = EventJsonReader.Read(new ReadOnlySequence<byte>(eventsJson), ResponseLimits, DateTimeOffset.UtcNow);
        if (!events.IsValid)
        {
            throw new AttuneApiException($"The server's export could not be read: {events.Detail}");
        }

        return new UserExport(
            user.ValueKind == JsonValueKind.Object ? ParseUser(user) : null,
            events.Values,
            root.GetProperty("exportedAt").GetDateTimeOffset());
    }

    public async Task<EventStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("v1/stats", cancellationToken);
        using var doc = await ReadJsonAsync(response, cancellationToken);
        var root = doc.RootElement;
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var p in root.GetProperty("eventsByType").EnumerateObject())
        {
            byType[p.Name] = p.Value.GetInt64();
        }

        return new EventStats(
            root.GetProperty("events").GetInt64(),
            root.GetProperty("users").GetInt64(),
            root.GetProperty("items").GetInt64(),
            byType,
            OptionalTime(root, "firstEvent"),
            OptionalTime(root, "lastEvent"));
    }

    /// <summary>True when <c>/health</c> answers 200.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("health", cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>True when <c>/ready</c> answers 200 (the store is open and answers).</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("ready", cancellationToken);
        return response.IsSuccessStatusCode;
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static ByteArrayContent Body(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = Json;
        return content;
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(stream, default, cancellationToken);
    }

    private static async Task<byte[]> ReadBytesAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        string? title = response.ReasonPhrase, detail = null;
        var errors = new List<ValidationError>();
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            title = root.TryGetProperty("title", out var t) ? t.GetString() : title;
            detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in list.EnumerateArray())
                {
                    int? index = e.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : null;
                    errors.Add(new ValidationError(index, e.GetProperty("field").GetString() ?? string.Empty, e.GetProperty("message").GetString() ?? string.Empty));
                }
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's error page): the status line is all there is.
        }

        throw new AttuneApiException(status, title, detail, errors);
    }

    private static Item ParseItem(byte[] json)
    {
        var parsed = ItemJsonReader.ReadBatch(new ReadOnlySequence<byte>([.. "["u8, .. json, .. "]"u8]), ResponseLimits, DateTimeOffset.UtcNow);
        return parsed.IsValid ? parsed.Values[0] : throw new AttuneApiException($"The server's item could not be read: {parsed.Detail}");
    }

    private static User ParseUser(JsonElement e)
    {
        var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in e.GetProperty("attributes").EnumerateObject())
        {
            attributes[p.Name] = p.Value.Clone();
        }

        var c = e.GetProperty("consent");
        var consent = new Consent(
            new ConsentChoice(c.GetProperty("personalization").GetBoolean(), OptionalTime(c, "personalizationAt")),
            new ConsentChoice(c.GetProperty("marketing").GetBoolean(), OptionalTime(c, "marketingAt")));
        return new User(e.GetProperty("id").GetString()!, attributes, consent, OptionalTime(e, "createdAt"), OptionalTime(e, "updatedAt"));
    }

    private static DateTimeOffset? OptionalTime(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetDateTimeOffset() : null;
}
