using System.Numerics.Tensors;

namespace Attune.Engine.Serving;

/// <summary>Similarity of two items in [0, 1] (1 = the same), for diversification. Implementations are thread-safe.</summary>
public interface IItemSimilarity
{
    double Similarity(int a, int b);
}

/// <summary>Jaccard overlap of the two items' category sets: |A n B| / |A u B|; items without categories are dissimilar to all.</summary>
/// <remarks>O(|A| + |B|) over sorted interned ids, no allocation.</remarks>
public sealed class CategoryJaccardSimilarity(ServingCatalog catalog) : IItemSimilarity
{
    /// <summary>The catalog whose category sets are compared (MMR groups candidates by set when it is the ranking catalog).</summary>
    internal ServingCatalog Catalog => catalog;

    public double Similarity(int a, int b)
    {
        var x = catalog.Categories(a);
        var y = catalog.Categories(b);
        if (x.Length == 0 || y.Length == 0)
        {
            return 0;
        }

        int i = 0, j = 0, both = 0;
        while (i < x.Length && j < y.Length)
        {
            if (x[i] == y[j])
            {
                both++;
                i++;
                j++;
            }
            else if (x[i] < y[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (double)both / (x.Length + y.Length - both);
    }
}

/// <summary>
/// Cosine similarity of item vectors (e.g. a factor model's item factors or text embeddings), clamped to [0, 1]
/// since MMR treats opposite directions as no redundancy. Indices without a vector, or zero vectors, give 0.
/// </summary>
public sealed class VectorCosineSimilarity(IReadOnlyList<float[]?> vectors) : IItemSimilarity
{
    public double Similarity(int a, int b)
    {
        if ((uint)a >= (uint)vectors.Count || (uint)b >= (uint)vectors.Count)
        {
            return 0;
        }

        var x = vectors[a];
        var y = vectors[b];
        if (x is null || y is null || x.Length != y.Length || x.Length == 0)
        {
            return 0;
        }

        var cosine = TensorPrimitives.CosineSimilarity(x, y);
        return float.IsFinite(cosine) ? Math.Clamp(cosine, 0, 1) : 0;
    }
}
