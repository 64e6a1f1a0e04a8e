namespace Attune.Engine.Serving;

/// <summary>Why an item was recommended, as data the API returns and a UI can render or translate.</summary>
public enum ReasonKind
{
    BecauseYouViewed,
    PopularIn,
    NewIn,
    SimilarUsers,
    Trending,
    Exploration,
}

/// <summary>A structured explanation plus its default English text.</summary>
/// <param name="ItemId">For <see cref="ReasonKind.BecauseYouViewed"/>: the item the user interacted with.</param>
/// <param name="Category">For <see cref="ReasonKind.PopularIn"/> and <see cref="ReasonKind.NewIn"/>.</param>
public sealed record Reason(ReasonKind Kind, string Text, string? ItemId = null, string? Category = null)
{
    public static Reason BecauseYouViewed(string itemId, string? title = null) =>
        new(ReasonKind.BecauseYouViewed, $"because you viewed {title ?? itemId}", ItemId: itemId);

    public static Reason PopularIn(string category) =>
        new(ReasonKind.PopularIn, $"popular in {category}", Category: category);

    public static Reason NewIn(string category) =>
        new(ReasonKind.NewIn, $"new in {category}", Category: category);

    public static Reason SimilarUsers { get; } = new(ReasonKind.SimilarUsers, "people like you liked this");

    public static Reason Trending { get; } = new(ReasonKind.Trending, "trending now");

    public static Reason Exploration { get; } = new(ReasonKind.Exploration, "something new for you");
}
