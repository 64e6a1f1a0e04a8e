using System.Text.Json;

namespace Attune.Core;

/// <summary>A person the engine personalizes for.</summary>
public sealed record User(
    string Id,
    IReadOnlyDictionary<string, JsonElement>? Attributes = null,
    Consent? Consent = null,
    DateTimeOffset? Created = null,
    DateTimeOffset? Updated = null)
{
    public IReadOnlyDictionary<string, JsonElement> Attributes { get; init; } =
        Attributes ?? new Dictionary<string, JsonElement>();

    public Consent Consent { get; init; } = Consent ?? Consent.Default;
}

/// <summary>What a user agreed to, and when each choice was made.</summary>
public sealed record Consent(ConsentChoice Personalization, ConsentChoice Marketing)
{
    /// <summary>No explicit choice yet: personalization allowed (legitimate interest), marketing not.</summary>
    public static Consent Default { get; } = new(new ConsentChoice(true, null), new ConsentChoice(false, null));
}

/// <param name="Granted">Whether the purpose is allowed.</param>
/// <param name="At">When the user gave or withdrew it; null when never stated.</param>
public sealed record ConsentChoice(bool Granted, DateTimeOffset? At);
