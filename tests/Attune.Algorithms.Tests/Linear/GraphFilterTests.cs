using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Linear;
using Attune.Algorithms.Tests.Contract;

namespace Attune.Algorithms.Tests.Linear;

public class GraphFilterContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) =>
        GraphFilterTrainer.Train(data.Matrix, new GraphFilterOptions { Factors = 8, Seed = seed });
}

public class GraphFilterTests
{
    private static UserItemMatrix Matrix(int users, int items, params (int User, int Item)[] pairs) =>
        new(CsrMatrix.FromCoordinates(users, items, pairs.Select(p => p.User).ToArray(), pairs.Select(p => p.Item).ToArray(), Enumerable.Repeat(1f, pairs.Length).ToArray()));

    [Fact]
    public void Without_the_low_pass_term_the_filter_is_the_degree_normalized_Gram_matrix()
    {
        // Users {0,1}, {1,2}, {0,1,2}: user degrees 2, 2, 3; item degrees 2, 3, 2.
        // (R~^T R~)[i, j] = sum_u r_ui r_uj / d_u / sqrt(d_i d_j).
        var x = Matrix(3, 3, (0, 0), (0, 1), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2));
        double[][] rows = [[1, 1, 0], [0, 1, 1], [1, 1, 1]];
        double[] itemDegree = [2, 3, 2];

        var model = GraphFilterTrainer.Train(x, new GraphFilterOptions { Alpha = 0 });

        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var expected = rows.Sum(r => r[i] * r[j] / r.Sum()) / Math.Sqrt(itemDegree[i] * itemDegree[j]);
                Assert.Equal(expected, model.Weights[(i * 3) + j], 1e-6);
            }
        }
    }

    [Fact]
    public void Subspace_iteration_finds_the_dominant_eigenvectors()
    {
        // A symmetric matrix with eigenvalues 9, 7, 1, 0.5, 0.1 on a rotated basis: the projection on the top
        // two eigenvectors must come back, whatever the random start.
        const int n = 5;
        var q = RandomOrthogonal(n, seed: 3);
        double[] eigen = [9, 7, 1, 0.5, 0.1];
        var a = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                a[(i * n) + j] = (float)Enumerable.Range(0, n).Sum(m => q[m][i] * eigen[m] * q[m][j]);
            }
        }

        var basis = GraphFilterTrainer.TopSubspace(a, n, 2, iterations: 40, seed: 11, threads: 1, CancellationToken.None);

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var expected = (q[0][i] * q[0][j]) + (q[1][i] * q[1][j]);
                var actual = (basis[i] * basis[j]) + (basis[n + i] * basis[n + j]);
                Assert.Equal(expected, actual, 1e-3);
            }
        }
    }

    [Fact]
    public void Orthonormalize_zeroes_a_dependent_row_instead_of_amplifying_noise()
    {
        float[] v = [1, 0, 0, 2, 0, 0, 0, 3, 4];

        GraphFilterTrainer.Orthonormalize(v, 3, 3);

        float[] expected = [1, 0, 0, 0, 0, 0, 0, 0.6f, 0.8f];
        for (var p = 0; p < v.Length; p++)
        {
            Assert.Equal(expected[p], v[p], 1e-6f);
        }
    }

    [Fact]
    public void Low_pass_term_adds_the_scaled_projection_on_top_of_the_linear_filter()
    {
        var data = BlockData.Create();
        var linear = GraphFilterTrainer.Train(data.Matrix, new GraphFilterOptions { Alpha = 0 });
        var both = GraphFilterTrainer.Train(data.Matrix, new GraphFilterOptions { Alpha = 0.5f, Factors = 4 });
        var n = linear.ItemCount;
        var degree = new double[n];
        var csr = data.Matrix.Csr;
        for (var p = 0; p < csr.NonZeros; p++)
        {
            degree[csr.ColumnIndex[p]] += csr.Values[p];
        }

        // D^-1/2 V^T V D^1/2 has the trace of V^T V, the number of kept directions, whatever the degrees.
        var trace = 0.0;
        for (var i = 0; i < n; i++)
        {
            trace += (both.Weights[(i * n) + i] - linear.Weights[(i * n) + i]) / 0.5;
        }

        Assert.Equal(4, trace, 1e-3);

        // ... and is similar to a symmetric matrix: entry (i, j) times d_i / d_j equals entry (j, i).
        var lowPass = (int i, int j) => both.Weights[(i * n) + j] - linear.Weights[(i * n) + j];
        Assert.Equal(lowPass(0, 1) * degree[0] / degree[1], lowPass(1, 0), 1e-4);
    }

    [Theory]
    [InlineData(-1f, 8, 10)]
    [InlineData(0.3f, -1, 10)]
    [InlineData(0.3f, 8, 0)]
    public void Invalid_options_are_refused(float alpha, int factors, int iterations)
    {
        var ex = Assert.Throws<ArgumentException>(() => GraphFilterTrainer.Train(BlockData.Create().Matrix, new GraphFilterOptions { Alpha = alpha, Factors = factors, Iterations = iterations }));
        Assert.Contains("GF-CF", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_knows_gf_cf_and_binds_its_options()
    {
        var (algorithm, options) = AlgorithmRegistry.Parse("gf-cf:alpha=1,factors=32");
        Assert.Equal("gf-cf", algorithm.Name);
        Assert.Equal(1f, ((GraphFilterOptions)options).Alpha);
        Assert.Equal(32, ((GraphFilterOptions)options).Factors);
    }

    private static double[][] RandomOrthogonal(int n, int seed)
    {
        var rng = new Random(seed);
        var q = new double[n][];
        for (var r = 0; r < n; r++)
        {
            q[r] = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)];
            for (var p = 0; p < r; p++)
            {
                var dot = q[r].Zip(q[p], (x, y) => x * y).Sum();
                for (var c = 0; c < n; c++)
                {
                    q[r][c] -= dot * q[p][c];
                }
            }

            var norm = Math.Sqrt(q[r].Sum(x => x * x));
            for (var c = 0; c < n; c++)
            {
                q[r][c] /= norm;
            }
        }

        return q;
    }
}
