namespace Attune.Engine.Serving;

/// <summary>One item proposed by one source, or, after merging, the blended result.</summary>
/// <param name="Item">Dense item index (the model's and the <see cref="ServingCatalog"/>'s).</param>
/// <param name="Score">The source's raw score before merging; the blended score after.</param>
/// <param name="Source">The source name; after merging, the source that contributed most.</param>
/// <param name="Reason">Why; after merging, the reason of the source that contributed most.</param>
public readonly record struct Candidate(int Item, double Score, string Source, Reason? Reason = null);

/// <summary>The candidates of one source (e.g. "factor", "item-knn", "trending") and the weight of that source.</summary>
public sealed record CandidateSource(string Name, double Weight, IReadOnlyList<Candidate> Candidates)
{
    public override string ToString() => $"{Name} (weight {Weight}, {Candidates.Count} candidates)";
}
