using System.Globalization;
using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Clustering;

/// <summary>Hyper-parameters of <see cref="KMeans"/>.</summary>
/// <param name="K">Number of clusters.</param>
/// <param name="Restarts">Independent k-means++ starts; the one with the lowest inertia wins.</param>
/// <param name="MaxIterations">Lloyd iterations per start at most.</param>
/// <param name="Tolerance">Stop when the inertia improves by less than this fraction.</param>
/// <param name="Seed">Seeds initialization; the result is a pure function of data, options and seed.</param>
public sealed record KMeansOptions(int K = 4, int Restarts = 4, int MaxIterations = 100, double Tolerance = 1e-6, int Seed = 42)
{
    public void Validate()
    {
        if (K < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(K), K, "K must be >= 1.");
        }

        if (Restarts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Restarts), Restarts, "Restarts must be >= 1.");
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be >= 1.");
        }

        if (!(Tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be >= 0.");
        }
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"KMeans(K={K}, Restarts={Restarts}, MaxIterations={MaxIterations}, Tolerance={Tolerance}, Seed={Seed})");
}

/// <summary>k-means clustering on standardized features.</summary>
/// <remarks>
/// Lloyd's algorithm (Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 1982) from greedy
/// k-means++ seeds (Arthur and Vassilvitskii, "k-means++: The Advantages of Careful Seeding", SODA 2007: seeds
/// drawn with probability proportional to D², O(log k)-competitive in expectation; the greedy variant, as in
/// scikit-learn, draws 2 + ln k candidates per seed and keeps the one that lowers the potential most). Several
/// restarts keep the lowest inertia. Features are z-scored first (<see cref="Standardizer"/>) so no feature
/// dominates by its unit. Cost: O(n·k·d) per Lloyd iteration and O(n·k·d·log k) for seeding. The assignment
/// step runs in parallel over fixed row chunks whose partial sums are merged in chunk order, so results do
/// not depend on the thread count. An emptied cluster is re-seeded with the point farthest from its centroid.
/// </remarks>
public static class KMeans
{
    private const int Chunk = 8_192;

    public static KMeansModel Fit(FeatureTable table, KMeansOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new KMeansOptions();
        options.Validate();
        if (table.RowCount < options.K)
        {
            throw new ArgumentException($"K = {options.K} clusters need at least as many rows; the table has {table.RowCount}.", nameof(table));
        }

        var standardizer = Standardizer.Fit(table);
        var x = standardizer.Transform(table).Values;
        var rng = new Random(options.Seed);
        KMeansModel? best = null;
        for (var restart = 0; restart < options.Restarts; restart++)
        {
            var candidate = Run(x, table.RowCount, table.ColumnCount, options, new Random(rng.Next()), standardizer, table.FeatureNames);
            if (best is null || candidate.Inertia < best.Inertia)
            {
                best = candidate;
            }
        }

        return best!;
    }

    private static KMeansModel Run(float[] x, int n, int d, KMeansOptions options, Random rng, Standardizer standardizer, IReadOnlyList<string> names)
    {
        var k = options.K;
        var centroids = PlusPlus(x, n, d, k, rng);
        var assignment = new int[n];
        var distance = new float[n];
        var previous = double.PositiveInfinity;
        var inertia = 0.0;
        var iterations = 0;
        var chunks = (n + Chunk - 1) / Chunk;
        var sums = new double[chunks][];
        var counts = new int[chunks][];
        for (var iter = 0; iter < options.MaxIterations; iter++)
        {
            iterations++;
            var partialInertia = new double[chunks];
            Parallel.For(0, chunks, c =>
            {
                var s = sums[c] ??= new double[k * d];
                var cnt = counts[c] ??= new int[k];
                Array.Clear(s);
                Array.Clear(cnt);
                var local = 0.0;
                var end = Math.Min(n, (c + 1) * Chunk);
                for (var i = c * Chunk; i < end; i++)
                {
                    var row = x.AsSpan(i * d, d);
                    var (nearest, dist) = Nearest(row, centroids, k, d);
                    assignment[i] = nearest;
                    distance[i] = dist;
                    local += dist;
                    cnt[nearest]++;
                    var acc = s.AsSpan(nearest * d, d);
                    for (var j = 0; j < d; j++)
                    {
                        acc[j] += row[j];
                    }
                }

                partialInertia[c] = local;
            });

            inertia = 0;
            var totalSums = new double[k * d];
            var totalCounts = new int[k];
            for (var c = 0; c < chunks; c++)
            {
                inertia += partialInertia[c];
                for (var j = 0; j < totalSums.Length; j++)
                {
                    totalSums[j] += sums[c][j];
                }

                for (var j = 0; j < k; j++)
                {
                    totalCounts[j] += counts[c][j];
                }
            }

            // Stopping right after an assignment step keeps assignments, centroids and inertia consistent.
            var converged = iter > 0 && previous - inertia <= options.Tolerance * Math.Max(inertia, double.Epsilon);
            if (converged || iter == options.MaxIterations - 1)
            {
                break;
            }

            previous = inertia;
            for (var j = 0; j < k; j++)
            {
                if (totalCounts[j] == 0)
                {
                    var far = FarthestPoint(distance);
                    x.AsSpan(far * d, d).CopyTo(centroids.AsSpan(j * d, d));
                    distance[far] = 0;
                    continue;
                }

                for (var f = 0; f < d; f++)
                {
                    centroids[(j * d) + f] = (float)(totalSums[(j * d) + f] / totalCounts[j]);
                }
            }
        }

        return new KMeansModel(standardizer, names, centroids, k, assignment, inertia, iterations, options);
    }

    internal static (int Index, float Distance) Nearest(ReadOnlySpan<float> row, float[] centroids, int k, int d)
    {
        var best = 0;
        var bestDistance = float.PositiveInfinity;
        for (var j = 0; j < k; j++)
        {
            var dist = SquaredDistance(row, centroids.AsSpan(j * d, d));
            if (dist < bestDistance)
            {
                bestDistance = dist;
                best = j;
            }
        }

        return (best, bestDistance);
    }

    internal static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var s = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            var diff = a[i] - b[i];
            s += diff * diff;
        }

        return s;
    }

    private static float[] PlusPlus(float[] x, int n, int d, int k, Random rng)
    {
        var centroids = new float[k * d];
        var first = rng.Next(n);
        x.AsSpan(first * d, d).CopyTo(centroids);
        var nearest = new double[n];
        for (var i = 0; i < n; i++)
        {
            nearest[i] = SquaredDistance(x.AsSpan(i * d, d), centroids.AsSpan(0, d));
        }

        // Greedy k-means++ (as in scikit-learn): draw 2 + ln k candidates by D² and keep the one that lowers
        // the potential most, which makes a missed cluster much rarer than a single draw.
        var trials = 2 + (int)Math.Log(k);
        var candidateNearest = new double[n];
        var bestNearest = new double[n];
        for (var j = 1; j < k; j++)
        {
            var total = 0.0;
            foreach (var v in nearest)
            {
                total += v;
            }

            var bestPick = -1;
            var bestPotential = double.PositiveInfinity;
            for (var t = 0; t < trials; t++)
            {
                var pick = total <= 0 ? rng.Next(n) : SampleBySquaredDistance(nearest, total, rng);
                var row = x.AsSpan(pick * d, d);
                var potential = 0.0;
                for (var i = 0; i < n; i++)
                {
                    candidateNearest[i] = Math.Min(nearest[i], SquaredDistance(x.AsSpan(i * d, d), row));
                    potential += candidateNearest[i];
                }

                if (potential < bestPotential)
                {
                    bestPotential = potential;
                    bestPick = pick;
                    (bestNearest, candidateNearest) = (candidateNearest, bestNearest);
                }
            }

            x.AsSpan(bestPick * d, d).CopyTo(centroids.AsSpan(j * d, d));
            (nearest, bestNearest) = (bestNearest, nearest);
        }

        return centroids;
    }

    private static int SampleBySquaredDistance(double[] nearest, double total, Random rng)
    {
        var target = rng.NextDouble() * total;
        for (var i = 0; i < nearest.Length; i++)
        {
            target -= nearest[i];
            if (target < 0)
            {
                return i;
            }
        }

        return nearest.Length - 1;
    }

    private static int FarthestPoint(float[] distance)
    {
        var best = 0;
        for (var i = 1; i < distance.Length; i++)
        {
            if (distance[i] > distance[best])
            {
                best = i;
            }
        }

        return best;
    }
}

/// <summary>A fitted k-means: centroids in standardized feature space and the training rows' clusters.</summary>
public sealed class KMeansModel
{
    private readonly float[] _centroids;
    private readonly int[] _assignments;

    internal KMeansModel(
        Standardizer standardizer, IReadOnlyList<string> featureNames, float[] centroids, int k, int[] assignments, double inertia, int iterations,
        KMeansOptions options)
    {
        Standardizer = standardizer;
        FeatureNames = featureNames;
        _centroids = centroids;
        K = k;
        _assignments = assignments;
        Inertia = inertia;
        Iterations = iterations;
        Options = options;
    }

    public Standardizer Standardizer { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    public int K { get; }

    /// <summary>The training rows' clusters, in row order.</summary>
    public IReadOnlyList<int> Assignments => _assignments;

    /// <summary>Sum of squared standardized distances from each training row to its centroid.</summary>
    public double Inertia { get; }

    public int Iterations { get; }

    public KMeansOptions Options { get; }

    /// <summary>Centroid of <paramref name="cluster"/> in standardized units (0 = the overall mean, 1 = one standard deviation).</summary>
    public ReadOnlySpan<float> Centroid(int cluster) => _centroids.AsSpan(cluster * FeatureNames.Count, FeatureNames.Count);

    /// <summary>The cluster of a raw feature row.</summary>
    public int Predict(ReadOnlySpan<float> row)
    {
        var d = FeatureNames.Count;
        if (row.Length != d)
        {
            throw new ArgumentException($"Row has {row.Length} features; the model expects {d}.", nameof(row));
        }

        Span<float> z = d <= 256 ? stackalloc float[d] : new float[d];
        Standardizer.TransformRow(row, z);
        return KMeans.Nearest(z, _centroids, K, d).Index;
    }

    /// <summary>Cluster sizes among the training rows.</summary>
    public int[] Sizes()
    {
        var sizes = new int[K];
        foreach (var a in _assignments)
        {
            sizes[a]++;
        }

        return sizes;
    }
}
