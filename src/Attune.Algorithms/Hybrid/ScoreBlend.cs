namespace Attune.Algorithms.Hybrid;

/// <summary>Per-user normalization of a dense score vector.</summary>
public static class ScoreBlend
{
    /// <summary>Normalizes <paramref name="scores"/> in place; a constant vector becomes all zeros.</summary>
    public static void Normalize(Span<float> scores, ScoreNormalization normalization)
    {
        if (normalization == ScoreNormalization.Max)
        {
            var max = 0f;
            foreach (var s in scores)
            {
                max = Math.Max(max, Math.Abs(s));
            }

            if (max > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(scores, 1 / max, scores);
            }

            return;
        }

        var n = scores.Length;
        if (n == 0)
        {
            return;
        }

        var mean = System.Numerics.Tensors.TensorPrimitives.Sum<float>(scores) / n;
        var sq = 0d;
        foreach (var s in scores)
        {
            sq += (s - mean) * (double)(s - mean);
        }

        var std = (float)Math.Sqrt(sq / n);
        if (std > 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(scores, -mean, scores);
            System.Numerics.Tensors.TensorPrimitives.Multiply(scores, 1 / std, scores);
        }
        else
        {
            scores.Clear();
        }
    }
}
