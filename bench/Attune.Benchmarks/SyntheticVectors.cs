namespace Attune.Benchmarks;

/// <summary>Synthetic factor vectors for the ANN and serving scenarios.</summary>
public static class SyntheticVectors
{
    /// <summary>
    /// Item vectors in 200 clusters with Pareto(3) norms (so maximum inner product differs from cosine), and user
    /// vectors near the same centres; deterministic by <paramref name="seed"/>.
    /// </summary>
    public static (float[] Items, float[] Users) Clustered(int items, int dim, int users, int seed)
    {
        const int clusters = 200;
        var rng = new Random(seed);
        var centres = new float[clusters * dim];
        for (var i = 0; i < centres.Length; i++)
        {
            centres[i] = Normal(rng);
        }

        var v = new float[(long)items * dim];
        for (var i = 0; i < items; i++)
        {
            var c = rng.Next(clusters);
            var norm = (float)Math.Pow(1.0 - rng.NextDouble(), -1.0 / 3.0) * 0.2f;
            for (var j = 0; j < dim; j++)
            {
                v[((long)i * dim) + j] = norm * (centres[(c * dim) + j] + Normal(rng));
            }
        }

        var u = new float[users * dim];
        for (var i = 0; i < users; i++)
        {
            var c = rng.Next(clusters);
            for (var j = 0; j < dim; j++)
            {
                u[(i * dim) + j] = 0.5f * (centres[(c * dim) + j] + Normal(rng));
            }
        }

        return (v, u);
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    public static float Normal(Random rng) =>
        (float)(Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2.0 * Math.PI * rng.NextDouble()));
}
