using System.Buffers;
using Attune.Numerics;

namespace Attune.Algorithms.Abstractions;

public static class RecommenderExtensions
{
    /// <summary>
    /// The top <paramref name="n"/> items for a known user, best first, never an item in
    /// <paramref name="exclude"/>. Empty when the model does not know the user.
    /// </summary>
    public static ScoredItem[] Recommend(this IRecommender model, int user, int n, ReadOnlySpan<int> exclude = default)
    {
        var scores = ArrayPool<float>.Shared.Rent(model.ItemCount);
        try
        {
            var span = scores.AsSpan(0, model.ItemCount);
            if (!model.TryScore(user, span))
            {
                return [];
            }

            return TopOf(span, n, exclude);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>Top <paramref name="n"/> of a dense score vector, skipping <paramref name="exclude"/> (the vector is modified).</summary>
    public static ScoredItem[] TopOf(Span<float> scores, int n, ReadOnlySpan<int> exclude = default)
    {
        foreach (var i in exclude)
        {
            if ((uint)i < (uint)scores.Length)
            {
                scores[i] = float.NegativeInfinity;
            }
        }

        n = Math.Min(n, scores.Length);
        if (n <= 0)
        {
            return [];
        }

        Span<int> idx = n <= 256 ? stackalloc int[n] : new int[n];
        Span<float> val = n <= 256 ? stackalloc float[n] : new float[n];
        var count = TopK.Select(scores, n, idx, val);
        var result = new ScoredItem[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new ScoredItem(idx[i], val[i]);
        }

        return result;
    }
}
