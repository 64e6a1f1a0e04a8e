using Attune.Algorithms.Clustering;
using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Tests.Clustering;

public sealed class KMeansTests
{
    private static readonly string[] Names = ["spend", "sports", "mobile", "visits", "returns"];

    [Fact]
    public void Recovers_planted_clusters_with_ARI_above_0_9()
    {
        var (table, truth) = Planted(clusters: 4, perCluster: 500, seed: 1);

        var model = KMeans.Fit(table, new KMeansOptions(K: 4));

        var ari = AdjustedRandIndex.Compute(model.Assignments.ToArray(), truth);
        Assert.True(ari >= 0.9, $"ARI {ari}");
    }

    [Fact]
    public void Silhouette_picks_the_planted_number_of_clusters()
    {
        var (table, truth) = Planted(clusters: 4, perCluster: 400, seed: 2);

        var selection = KMeansSelection.FitBestK(table, 2, 8);

        Assert.Equal(4, selection.Best.K);
        Assert.Equal(7, selection.Scores.Count);
        Assert.True(AdjustedRandIndex.Compute(selection.Best.Assignments.ToArray(), truth) >= 0.9);
    }

    [Fact]
    public void Sampled_silhouette_is_close_to_the_exact_one()
    {
        var (table, _) = Planted(clusters: 3, perCluster: 1_000, seed: 3);
        var model = KMeans.Fit(table, new KMeansOptions(K: 3));
        var z = model.Standardizer.Transform(table).Values;

        var exact = Silhouette.Score(z, table.ColumnCount, model.Assignments.ToArray(), 3, sampleSize: int.MaxValue);
        var sampled = Silhouette.Score(z, table.ColumnCount, model.Assignments.ToArray(), 3, sampleSize: 500);

        Assert.InRange(sampled, exact - 0.05, exact + 0.05);
    }

    [Fact]
    public void Same_seed_gives_the_same_clustering()
    {
        var (table, _) = Planted(clusters: 5, perCluster: 300, seed: 4, spread: 1.5);

        var a = KMeans.Fit(table, new KMeansOptions(K: 5, Seed: 9));
        var b = KMeans.Fit(table, new KMeansOptions(K: 5, Seed: 9));

        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.Inertia, b.Inertia);
    }

    [Fact]
    public void More_restarts_never_give_higher_inertia()
    {
        var (table, _) = Planted(clusters: 6, perCluster: 200, seed: 5, spread: 2.0);

        var one = KMeans.Fit(table, new KMeansOptions(K: 6, Restarts: 1, Seed: 3));
        var many = KMeans.Fit(table, new KMeansOptions(K: 6, Restarts: 8, Seed: 3));

        Assert.True(many.Inertia <= one.Inertia);
    }

    [Fact]
    public void Predict_assigns_training_rows_to_their_own_cluster()
    {
        var (table, _) = Planted(clusters: 3, perCluster: 200, seed: 6);
        var model = KMeans.Fit(table, new KMeansOptions(K: 3));

        for (var r = 0; r < table.RowCount; r += 37)
        {
            Assert.Equal(model.Assignments[r], model.Predict(table.Row(r)));
        }
    }

    [Fact]
    public void Clusters_are_described_by_their_most_distinguishing_features()
    {
        // Cluster 0: big spenders on mobile who buy sports goods; cluster 1: everything low.
        var rng = new Random(7);
        var values = new List<float>();
        for (var i = 0; i < 400; i++)
        {
            var high = i < 200;
            values.AddRange([
                (float)((high ? 500 : 50) + (rng.NextDouble() * 20)),
                high ? 1f : 0f,
                high ? (rng.NextDouble() < 0.9 ? 1f : 0f) : (rng.NextDouble() < 0.1 ? 1f : 0f),
                (float)(rng.NextDouble() * 10),
                (float)(rng.NextDouble() * 3),
            ]);
        }

        var model = KMeans.Fit(new FeatureTable([.. values], Names), new KMeansOptions(K: 2));
        var words = new[] { new FeatureWords("spend", "high spend", "low spend"), new FeatureWords("sports", "sports", "no sports"), new FeatureWords("mobile", "mobile", "desktop") };

        var descriptions = ClusterDescriber.Describe(model, words);

        var spenders = descriptions.Single(d => d.Features[0].Deviation > 0);
        Assert.Equal(["high spend", "mobile", "sports"], spenders.Features.Select(f => f.Words).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain(spenders.Features, f => f.Feature is "visits" or "returns");
        Assert.Equal(200, spenders.Size);
        Assert.Contains("desktop", descriptions.Single(d => d != spenders).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Adjusted_Rand_index_of_hand_computed_cases()
    {
        Assert.Equal(1.0, AdjustedRandIndex.Compute([0, 0, 1, 1], [5, 5, 3, 3]), 12);
        // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 4/7.
        Assert.Equal(4 / 7.0, AdjustedRandIndex.Compute([0, 0, 1, 1], [0, 0, 1, 2]), 12);
        // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1]) = -0.5.
        Assert.Equal(-0.5, AdjustedRandIndex.Compute([0, 0, 1, 1], [0, 1, 0, 1]), 12);
    }

    [Fact]
    public void Asking_for_more_clusters_than_rows_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => KMeans.Fit(new FeatureTable([1f, 2f], ["x"]), new KMeansOptions(K: 3)));

        Assert.Contains("K = 3", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Gaussian blobs with centres drawn 8 apart on average in 5 dimensions, unit noise times <paramref name="spread"/>.</summary>
    private static (FeatureTable Table, int[] Truth) Planted(int clusters, int perCluster, int seed, double spread = 1.0)
    {
        var rng = new Random(seed);
        var d = Names.Length;
        var centres = new double[clusters, d];
        for (var c = 0; c < clusters; c++)
        {
            for (var f = 0; f < d; f++)
            {
                centres[c, f] = rng.NextDouble() * 20;
            }
        }

        var values = new float[clusters * perCluster * d];
        var truth = new int[clusters * perCluster];
        for (var i = 0; i < truth.Length; i++)
        {
            var c = i % clusters;
            truth[i] = c;
            for (var f = 0; f < d; f++)
            {
                values[(i * d) + f] = (float)(centres[c, f] + (spread * Normal(rng)));
            }
        }

        return (new FeatureTable(values, Names), truth);
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
