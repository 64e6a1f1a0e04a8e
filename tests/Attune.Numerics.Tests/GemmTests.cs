using Attune.Numerics;

namespace Attune.Numerics.Tests;

public class GemmTests
{
    private static float[] RandomMatrix(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var m = new float[rows * cols];
        for (var i = 0; i < m.Length; i++)
        {
            m[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return m;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(4, 16, 8)]
    [InlineData(7, 33, 5)]
    [InlineData(65, 70, 300)]
    [InlineData(130, 530, 64)]
    [InlineData(3, 2, 600)]
    public void Multiply_matches_the_scalar_reference(int m, int n, int k)
    {
        var a = RandomMatrix(m, k, 1);
        var b = RandomMatrix(k, n, 2);
        var c = RandomMatrix(m, n, 3);
        var expected = (float[])c.Clone();
        Gemm.Reference(a, k, b, n, expected, n, m, n, k, alpha: -0.5f);

        Gemm.Multiply(a, k, b, n, c, n, m, n, k, alpha: -0.5f);

        for (var i = 0; i < c.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - c[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"element {i}: {c[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void Multiply_respects_leading_dimensions_and_leaves_other_cells_alone()
    {
        // A 3x2 block inside a 5-wide buffer, B a 2x20 block inside a 24-wide buffer, C inside a 30-wide buffer.
        var a = RandomMatrix(3, 5, 4);
        var b = RandomMatrix(2, 24, 5);
        var c = new float[3 * 30];
        var expected = new float[3 * 30];
        Gemm.Reference(a, 5, b, 24, expected, 30, 3, 20, 2);

        Gemm.Multiply(a, 5, b, 24, c, 30, 3, 20, 2);

        Assert.Equal(expected, c, (x, y) => Math.Abs(x - y) < 1e-5f);
        Assert.All(c.Where((_, i) => i % 30 >= 20), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Multiply_in_double_matches_hand_computed_product()
    {
        double[] a = [1, 2, 3, 4];
        double[] b = [5, 6, 7, 8];
        var c = new double[4];

        Gemm.Multiply(a, 2, b, 2, c, 2, 2, 2, 2);

        Assert.Equal([19d, 22d, 43d, 50d], c);
    }

    [Fact]
    public void Multiply_refuses_a_short_span()
    {
        var a = new float[10];
        var b = new float[10];
        var c = new float[3];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, 2, b, 2, c, 2, 2, 2, 2));
    }

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        float[] m = [1, 2, 3, 4, 5, 6];
        var t = new float[6];
        Gemm.Transpose<float>(m, 2, 3, t);
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], t);
    }
}
