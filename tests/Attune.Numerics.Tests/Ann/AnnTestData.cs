namespace Attune.Numerics.Tests.Ann;

internal static class AnnTestData
{
    public static float[] Gaussian(int count, int dimension, int seed)
    {
        var rng = new Random(seed);
        var v = new float[count * dimension];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = Normal(rng);
        }

        return v;
    }

    /// <summary>Points around a few centres, with norms spread like trained factors (power law).</summary>
    public static float[] Clustered(int count, int dimension, int clusters, int seed)
    {
        var rng = new Random(seed);
        var centres = Gaussian(clusters, dimension, seed + 1);
        var v = new float[count * dimension];
        for (var i = 0; i < count; i++)
        {
            var c = rng.Next(clusters);
            var scale = (float)Math.Pow(1.0 - rng.NextDouble(), -1.0 / 3.0);
            for (var j = 0; j < dimension; j++)
            {
                v[(i * dimension) + j] = scale * (centres[(c * dimension) + j] + (0.3f * Normal(rng)));
            }
        }

        return v;
    }

    public static int[] ExactTop(float[] vectors, int dimension, ReadOnlySpan<float> query, int k, Func<int, bool>? exclude = null)
    {
        var count = vectors.Length / dimension;
        var scores = new float[count];
        for (var i = 0; i < count; i++)
        {
            scores[i] = exclude is not null && exclude(i)
                ? float.NegativeInfinity
                : System.Numerics.Tensors.TensorPrimitives.Dot(query, vectors.AsSpan(i * dimension, dimension));
        }

        var ids = new int[k];
        var values = new float[k];
        var n = TopK.Select(scores, k, ids, values);
        return ids[..n];
    }

    private static float Normal(Random rng) =>
        (float)(Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2.0 * Math.PI * rng.NextDouble()));
}
