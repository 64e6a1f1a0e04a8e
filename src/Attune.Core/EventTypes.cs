namespace Attune.Core;

/// <summary>Whether an event says the user likes, dislikes, or says nothing about the item.</summary>
public enum Polarity
{
    Neutral = 0,
    Positive = 1,
    Negative = 2,
}

/// <summary>How much an event type counts when models learn from behaviour.</summary>
public sealed record EventTypeDefinition(string Name, double Weight, Polarity Polarity);

/// <summary>Built-in event type names.</summary>
public static class EventTypes
{
    public const string View = "view";
    public const string Click = "click";
    public const string AddToCart = "add_to_cart";
    public const string RemoveFromCart = "remove_from_cart";
    public const string Purchase = "purchase";
    public const string Rating = "rating";
    public const string Like = "like";
    public const string Dislike = "dislike";
    public const string Share = "share";
    public const string Bookmark = "bookmark";
    public const string Dwell = "dwell";
    public const string Impression = "impression";
    public const string Search = "search";

    /// <summary>Default weights; overridable by configuration (<c>Attune:EventTypes</c>).</summary>
    public static IReadOnlyList<EventTypeDefinition> Defaults { get; } =
    [
        new(View, 1.0, Polarity.Positive),
        new(Click, 1.0, Polarity.Positive),
        new(AddToCart, 3.0, Polarity.Positive),
        new(RemoveFromCart, 1.0, Polarity.Negative),
        new(Purchase, 5.0, Polarity.Positive),
        new(Rating, 1.0, Polarity.Positive),
        new(Like, 3.0, Polarity.Positive),
        new(Dislike, 3.0, Polarity.Negative),
        new(Share, 2.0, Polarity.Positive),
        new(Bookmark, 2.0, Polarity.Positive),
        new(Dwell, 0.5, Polarity.Positive),
        new(Impression, 0.0, Polarity.Neutral),
        new(Search, 0.0, Polarity.Neutral),
    ];
}

/// <summary>Looks up the weight and polarity of any event type; unknown custom types get a default.</summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, EventTypeDefinition> _types;

    public EventTypeRegistry(IEnumerable<EventTypeDefinition>? overrides = null, EventTypeDefinition? customDefault = null)
    {
        _types = EventTypes.Defaults.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var t in overrides ?? [])
        {
            _types[t.Name] = t;
        }

        CustomDefault = customDefault ?? new EventTypeDefinition("*", 1.0, Polarity.Positive);
    }

    public static EventTypeRegistry Default { get; } = new();

    /// <summary>Used for custom types that are not configured.</summary>
    public EventTypeDefinition CustomDefault { get; }

    public IReadOnlyCollection<EventTypeDefinition> Known => _types.Values;

    public EventTypeDefinition Get(string type) =>
        _types.TryGetValue(type, out var d) ? d : CustomDefault with { Name = type };

    /// <summary>
    /// The signed learning weight: positive types count for the item, negative against it, neutral not at all.
    /// </summary>
    public float SignedWeight(string type)
    {
        var d = Get(type);
        return d.Polarity switch
        {
            Polarity.Positive => (float)d.Weight,
            Polarity.Negative => -(float)d.Weight,
            _ => 0f,
        };
    }
}
