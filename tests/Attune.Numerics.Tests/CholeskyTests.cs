using Attune.Numerics;

namespace Attune.Numerics.Tests;

public class CholeskyTests
{
    private static double[] RandomSpd(int n, int seed, double ridge = 1)
    {
        var rng = new Random(seed);
        var x = new double[n * n];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (rng.NextDouble() * 2) - 1;
        }

        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0d;
                for (var k = 0; k < n; k++)
                {
                    s += x[(i * n) + k] * x[(j * n) + k];
                }

                a[(i * n) + j] = s + (i == j ? ridge * n : 0);
            }
        }

        return a;
    }

    [Fact]
    public void Factor_of_a_hand_solved_matrix_gives_its_known_factor()
    {
        // [[4, 12, -16], [12, 37, -43], [-16, -43, 98]] = L L^T with L = [[2,0,0],[6,1,0],[-8,5,3]].
        double[] a = [4, 12, -16, 12, 37, -43, -16, -43, 98];

        Cholesky.Factor(a, 3);

        Assert.Equal([2d, 0, 0, 6, 1, 0, -8, 5, 3], a);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(128)]
    [InlineData(300)]
    public void Factor_reconstructs_the_matrix_in_float_and_double(int n)
    {
        var a = RandomSpd(n, n);
        var d = (double[])a.Clone();
        var f = a.Select(v => (float)v).ToArray();

        Cholesky.Factor(d, n);
        Cholesky.Factor(f, n);

        for (var i = 0; i < n; i += Math.Max(1, n / 17))
        {
            for (var j = 0; j <= i; j++)
            {
                var s = 0d;
                var sf = 0d;
                for (var k = 0; k <= j; k++)
                {
                    s += d[(i * n) + k] * d[(j * n) + k];
                    sf += f[(i * n) + k] * (double)f[(j * n) + k];
                }

                Assert.Equal(a[(i * n) + j], s, 1e-8 * n);
                Assert.Equal(a[(i * n) + j], sf, 2e-3 * n);
            }

            for (var j = i + 1; j < n; j++)
            {
                Assert.Equal(0d, d[(i * n) + j]);
            }
        }
    }

    [Fact]
    public void Solve_finds_the_hand_solved_answer()
    {
        double[] a = [4, 12, -16, 12, 37, -43, -16, -43, 98];
        double[] x = [1, -2, 3];
        var b = new double[3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                b[i] += a[(i * 3) + j] * x[j];
            }
        }

        Cholesky.Factor(a, 3);
        Cholesky.Solve(a, 3, b);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(x[i], b[i], 1e-10);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(200)]
    [InlineData(400)]
    public void InvertSpd_times_the_matrix_is_the_identity(int n)
    {
        var a = RandomSpd(n, 11 + n);
        var inv = (double[])a.Clone();
        var invF = a.Select(v => (float)v).ToArray();

        Cholesky.InvertSpd(inv, n);
        Cholesky.InvertSpd(invF, n);

        var product = new double[n * n];
        Gemm.Multiply(a, n, inv, n, product, n, n, n, n);
        var productF = new float[n * n];
        Gemm.Multiply(a.Select(v => (float)v).ToArray(), n, invF, n, productF, n, n, n, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                Assert.Equal(i == j ? 1d : 0d, product[(i * n) + j], 1e-9);
                Assert.Equal(i == j ? 1f : 0f, productF[(i * n) + j], 1e-3f);
                Assert.Equal(inv[(i * n) + j], inv[(j * n) + i]);
            }
        }
    }

    [Fact]
    public void InvertLower_of_a_hand_solved_factor()
    {
        float[] l = [2, 0, 1, 4];
        var w = new float[4];

        Cholesky.InvertLower(l, 2, w);

        Assert.Equal([0.5f, 0f, -0.125f, 0.25f], w);
    }

    [Fact]
    public void Factor_of_a_non_positive_definite_matrix_fails_naming_the_pivot()
    {
        double[] a = [1, 2, 2, 1];
        var ex = Assert.Throws<MatrixNotPositiveDefiniteException>(() => Cholesky.Factor(a, 2));
        Assert.Contains("pivot 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factor_of_a_matrix_with_NaN_fails_loudly()
    {
        float[] a = [4, 0, float.NaN, 5];
        var ex = Assert.Throws<MatrixNotPositiveDefiniteException>(() => Cholesky.Factor(a, 2));
        Assert.Contains("non-finite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factor_refuses_a_buffer_of_the_wrong_size()
    {
        Assert.Throws<ArgumentException>(() => Cholesky.Factor(new float[5], 3));
    }
}
