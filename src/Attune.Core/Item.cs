using System.Text.Json;

namespace Attune.Core;

/// <summary>A catalog item: anything that can be recommended (a product, an article, a video).</summary>
/// <param name="Properties">Extra fields; each value is a JSON string, number or boolean.</param>
public sealed record Item(
    string Id,
    string? Title = null,
    IReadOnlyList<string>? Categories = null,
    IReadOnlyList<string>? Tags = null,
    string? Text = null,
    double? Price = null,
    bool Available = true,
    DateTimeOffset? Created = null,
    DateTimeOffset? Updated = null,
    IReadOnlyDictionary<string, JsonElement>? Properties = null)
{
    public IReadOnlyList<string> Categories { get; init; } = Categories ?? [];

    public IReadOnlyList<string> Tags { get; init; } = Tags ?? [];

    public IReadOnlyDictionary<string, JsonElement> Properties { get; init; } =
        Properties ?? new Dictionary<string, JsonElement>();
}
