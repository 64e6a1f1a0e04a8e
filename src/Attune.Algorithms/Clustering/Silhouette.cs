namespace Attune.Algorithms.Clustering;

/// <summary>Mean silhouette coefficient of a clustering, exactly or on a sample.</summary>
/// <remarks>
/// Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of cluster analysis",
/// J. Comput. Appl. Math. 20, 1987: s(i) = (b − a) / max(a, b) with a the mean distance from i to its own
/// cluster and b the smallest mean distance to another cluster; s = 0 for a point alone in its cluster.
/// Exact cost is O(n²·d), so for n above <c>sampleSize</c> the score is computed on a uniform sample of that
/// many rows (drawn without replacement, by seed) with a and b measured within the sample, as
/// scikit-learn's <c>silhouette_score(sample_size=…)</c> does. Euclidean distances on the given (already
/// standardized) values.
/// </remarks>
public static class Silhouette
{
    public const int DefaultSampleSize = 2_000;

    public static double Score(float[] values, int dimensions, ReadOnlySpan<int> labels, int k, int sampleSize = DefaultSampleSize, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = labels.Length;
        if (values.Length != n * dimensions)
        {
            throw new ArgumentException($"{values.Length} values for {n} labelled rows of {dimensions} features.", nameof(values));
        }

        var rows = SampleRows(n, sampleSize, seed);
        var m = rows.Length;
        var sums = new double[k];
        var sizes = new int[k];
        foreach (var r in rows)
        {
            sizes[labels[r]]++;
        }

        var total = 0.0;
        for (var a = 0; a < m; a++)
        {
            Array.Clear(sums);
            var ra = rows[a];
            var own = labels[ra];
            var rowA = values.AsSpan(ra * dimensions, dimensions);
            for (var b = 0; b < m; b++)
            {
                if (b != a)
                {
                    var rb = rows[b];
                    sums[labels[rb]] += Math.Sqrt(KMeans.SquaredDistance(rowA, values.AsSpan(rb * dimensions, dimensions)));
                }
            }

            if (sizes[own] <= 1)
            {
                continue; // s = 0 for a singleton
            }

            var within = sums[own] / (sizes[own] - 1);
            var nearest = double.PositiveInfinity;
            for (var c = 0; c < k; c++)
            {
                if (c != own && sizes[c] > 0)
                {
                    nearest = Math.Min(nearest, sums[c] / sizes[c]);
                }
            }

            if (double.IsPositiveInfinity(nearest))
            {
                continue; // only one cluster present in the sample
            }

            var denominator = Math.Max(within, nearest);
            total += denominator > 0 ? (nearest - within) / denominator : 0;
        }

        return total / m;
    }

    private static int[] SampleRows(int n, int sampleSize, int seed)
    {
        var all = new int[n];
        for (var i = 0; i < n; i++)
        {
            all[i] = i;
        }

        if (n <= sampleSize)
        {
            return all;
        }

        // Partial Fisher-Yates: the first sampleSize entries become a uniform sample without replacement.
        var rng = new Random(seed);
        for (var i = 0; i < sampleSize; i++)
        {
            var j = rng.Next(i, n);
            (all[i], all[j]) = (all[j], all[i]);
        }

        return all[..sampleSize];
    }
}
