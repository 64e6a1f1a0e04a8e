namespace Attune.Numerics.Ann;

/// <summary>Hyper-parameters of an <see cref="HnswIndex"/>.</summary>
/// <param name="M">Links per node on the upper layers; layer 0 keeps <c>2M</c>. Memory and build time grow with it.</param>
/// <param name="EfConstruction">Width of the candidate list while inserting; higher builds a better graph, slower.</param>
/// <param name="EfSearch">Default width of the candidate list at query time (raised to k when smaller).</param>
/// <param name="Seed">Seed of the level draws; the same seed and data give the same graph.</param>
/// <param name="KeepPrunedConnections">Refill a pruned neighbour list with the nearest discarded candidates up to its capacity.</param>
public sealed record HnswOptions(
    int M = 16,
    int EfConstruction = 100,
    int EfSearch = 200,
    int Seed = 42,
    bool KeepPrunedConnections = true)
{
    internal void Validate()
    {
        if (M < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(M), M, "M must be at least 2.");
        }

        if (EfConstruction < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EfConstruction), EfConstruction, "EfConstruction must be at least 1.");
        }

        if (EfSearch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EfSearch), EfSearch, "EfSearch must be at least 1.");
        }
    }

    public override string ToString() =>
        $"M={M}, EfConstruction={EfConstruction}, EfSearch={EfSearch}, Seed={Seed}, KeepPrunedConnections={KeepPrunedConnections}";
}
