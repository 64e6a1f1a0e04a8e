using System.Globalization;

namespace Attune.Algorithms.Content;

public sealed record ContentOptions
{
    /// <summary>How much a title word counts relative to a word of the text.</summary>
    public float TitleWeight { get; init; } = 2f;

    public float TextWeight { get; init; } = 1f;

    /// <summary>Weight of a category, taken as one whole token ("cat:Sci-Fi").</summary>
    public float CategoryWeight { get; init; } = 1f;

    /// <summary>Weight of a tag, taken as one whole token ("tag:space opera").</summary>
    public float TagWeight { get; init; } = 1f;

    /// <summary>Tokens in fewer items are dropped.</summary>
    public int MinDocumentFrequency { get; init; } = 1;

    /// <summary>Tokens in a larger share of items are dropped (they say nothing); 1 keeps all.</summary>
    public float MaxDocumentShare { get; init; } = 0.5f;

    /// <summary>Use 1 + log(tf) instead of the raw term frequency.</summary>
    public bool SublinearTf { get; init; } = true;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"titleWeight={TitleWeight}, textWeight={TextWeight}, categoryWeight={CategoryWeight}, tagWeight={TagWeight}, minDocumentFrequency={MinDocumentFrequency}, maxDocumentShare={MaxDocumentShare}, sublinearTf={SublinearTf}");
}

/// <summary>The content of one item, for items that were not in the training data.</summary>
public sealed record ItemContent(string? Title, string? Text, IReadOnlyList<string> Categories, IReadOnlyList<string> Tags);
