using System.Globalization;
using System.Text.Json;
using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Formats;

/// <summary>
/// One event per line as the HTTP API's event JSON:
/// <c>{"id"?, "userId", "itemId"?, "type", "value"?, "timestamp", "sessionId"?, "context"?, "properties"?}</c>,
/// timestamp as RFC 3339 or Unix seconds. Unknown fields are errors (a misspelt <c>userid</c> should not pass
/// silently). Without an id, the event id is a hash of the event's fields.
/// </summary>
public sealed class JsonlFormat : IDatasetFormat
{
    public string Name => "jsonl";

    public string Description => "One event JSON per line (the HTTP API's event shape), a .jsonl file or a folder of *.jsonl.";

    public IReadOnlyList<DatasetOptionInfo> Options { get; } = [];

    public IEnumerable<DatasetRecord> Read(string path, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        (options ?? DatasetOptions.Empty).Validate(this);
        var files = DatasetPaths.Resolve(path, Name, "*.jsonl", "*.ndjson", "*.jsonl.gz", "*.json");
        return ReadAll(files, cancellationToken);
    }

    private IEnumerable<DatasetRecord> ReadAll(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            var source = Path.GetFileName(file);
            foreach (var r in LineFile.Read(file, LineFile.Utf8, (line, n) => Parse(line, n, source), cancellationToken))
            {
                yield return r;
            }
        }
    }

    internal DatasetRecord? Parse(ReadOnlySpan<char> line, long n, string source)
    {
        if (line.IsWhiteSpace())
        {
            return null;
        }

        JsonlEvent? dto;
        try
        {
            dto = JsonSerializer.Deserialize(line, DatasetJsonContext.Default.JsonlEvent);
        }
        catch (JsonException ex)
        {
            return new RejectedRecord($"invalid event JSON: {ex.Message}", source, n);
        }

        if (dto is null)
        {
            return new RejectedRecord("expected an event object, found null", source, n);
        }

        if (!Ids.IsValid(dto.UserId))
        {
            return new RejectedRecord("userId is missing or not a valid id (1-256 characters, no control characters)", source, n);
        }

        if (dto.ItemId is not null && !Ids.IsValid(dto.ItemId))
        {
            return new RejectedRecord("itemId is not a valid id (1-256 characters, no control characters)", source, n);
        }

        if (!Ids.IsValid(dto.Type))
        {
            return new RejectedRecord("type is missing or empty", source, n);
        }

        if (dto.Id is not null && !Ids.IsValid(dto.Id))
        {
            return new RejectedRecord("id is not a valid id (1-256 characters, no control characters)", source, n);
        }

        if (dto.Value is { } v && !double.IsFinite(v))
        {
            return new RejectedRecord("value is not a finite number", source, n);
        }

        if (!TryTimestamp(dto.Timestamp, out var timestamp, out var error))
        {
            return new RejectedRecord(error, source, n);
        }

        var id = dto.Id ?? EventIds.Hashed(Name, [dto.UserId, dto.ItemId, dto.Type, dto.Value?.ToString("R", CultureInfo.InvariantCulture), timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), dto.SessionId]);
        var e = new Event(id, dto.UserId!, dto.ItemId, dto.Type!, dto.Value, timestamp, dto.SessionId, dto.Context, dto.Properties);
        return new EventRecord(e, source, n);
    }

    private static bool TryTimestamp(JsonElement element, out DateTimeOffset value, out string error)
    {
        error = string.Empty;
        switch (element.ValueKind)
        {
            case JsonValueKind.String when Fields.TryTimestamp(element.GetString(), out value):
                return true;
            case JsonValueKind.Number when element.TryGetInt64(out var seconds) && Fields.TryUnixSeconds(seconds.ToString(CultureInfo.InvariantCulture), out value):
                return true;
            case JsonValueKind.Number when element.TryGetDouble(out var fractional) && Math.Abs(fractional) < 100_000_000_000:
                value = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(fractional * 1000));
                return true;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                value = default;
                error = "timestamp is required (RFC 3339 or Unix seconds)";
                return false;
            default:
                value = default;
                error = $"timestamp {element.GetRawText()} is not RFC 3339 or Unix seconds";
                return false;
        }
    }
}

/// <summary>The wire shape of one event line.</summary>
internal sealed class JsonlEvent
{
    public string? Id { get; set; }

    public string? UserId { get; set; }

    public string? ItemId { get; set; }

    public string? Type { get; set; }

    public double? Value { get; set; }

    public JsonElement Timestamp { get; set; }

    public string? SessionId { get; set; }

    public EventContext? Context { get; set; }

    public Dictionary<string, JsonElement>? Properties { get; set; }
}
