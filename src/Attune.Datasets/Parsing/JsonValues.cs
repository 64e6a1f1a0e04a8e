using System.Text.Json;
using System.Text.Json.Serialization;

namespace Attune.Datasets.Parsing;

/// <summary>Builds the JSON values that item properties and user attributes hold.</summary>
public static class JsonValues
{
    public static JsonElement String(string value) => JsonSerializer.SerializeToElement(value, DatasetJsonContext.Default.String);

    public static JsonElement Number(double value) => JsonSerializer.SerializeToElement(value, DatasetJsonContext.Default.Double);

    public static JsonElement Number(long value) => JsonSerializer.SerializeToElement(value, DatasetJsonContext.Default.Int64);
}

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(Formats.JsonlEvent))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
internal sealed partial class DatasetJsonContext : JsonSerializerContext;
