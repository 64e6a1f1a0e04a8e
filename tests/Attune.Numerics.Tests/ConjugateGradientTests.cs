using Attune.Numerics;

namespace Attune.Numerics.Tests;

public class ConjugateGradientTests
{
    [Fact]
    public void Solve_finds_the_hand_solved_answer()
    {
        // [[4, 1], [1, 3]] x = [1, 2] has x = [1/11, 7/11].
        float[] a = [4, 1, 1, 3];
        var x = new float[2];

        var steps = ConjugateGradient.Solve(a, 2, [1f, 2f], x);

        Assert.True(steps <= 2);
        Assert.Equal(1f / 11, x[0], 1e-6f);
        Assert.Equal(7f / 11, x[1], 1e-6f);
    }

    [Fact]
    public void Solve_agrees_with_cholesky_on_a_random_system()
    {
        const int n = 40;
        var rng = new Random(3);
        var m = Enumerable.Range(0, n * n).Select(_ => (float)rng.NextDouble()).ToArray();
        var a = new float[n * n];
        Gemm.Multiply(m, n, Transposed(m, n), n, a, n, n, n, n);
        for (var i = 0; i < n; i++)
        {
            a[(i * n) + i] += n;
        }

        var b = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i)).ToArray();
        var x = new float[n];
        var l = a.Select(v => (double)v).ToArray();
        var expected = b.Select(v => (double)v).ToArray();
        Cholesky.Factor(l, n);
        Cholesky.Solve(l, n, expected);

        ConjugateGradient.Solve(a, n, b, x, tolerance: 1e-7f);

        for (var i = 0; i < n; i++)
        {
            Assert.Equal(expected[i], x[i], 1e-4);
        }
    }

    [Fact]
    public void A_few_warm_started_steps_reduce_the_residual()
    {
        float[] a = [5, 1, 0, 1, 4, 1, 0, 1, 3];
        float[] b = [1, 2, 3];
        var x = new float[3];
        var r = (float[])b.Clone();

        ConjugateGradient.Refine(new DenseSpdOperator(a, 3), x, r, new float[3], new float[3], steps: 1);

        var after = new float[3];
        VectorOps.MatVec(a, 3, x, after);
        var residual = Math.Sqrt(Enumerable.Range(0, 3).Sum(i => Math.Pow(b[i] - after[i], 2)));
        Assert.True(residual < Math.Sqrt(14) * 0.5, $"residual {residual}");
    }

    [Fact]
    public void Indefinite_matrix_fails_loudly()
    {
        float[] a = [1, 0, 0, -1];
        var x = new float[2];
        Assert.Throws<MatrixNotPositiveDefiniteException>(() => ConjugateGradient.Solve(a, 2, [0f, 1f], x));
    }

    [Fact]
    public void NaN_right_hand_side_fails_loudly()
    {
        float[] a = [1, 0, 0, 1];
        var x = new float[2];
        Assert.Throws<MatrixNotPositiveDefiniteException>(() => ConjugateGradient.Solve(a, 2, [float.NaN, 1f], x));
    }

    private static float[] Transposed(float[] m, int n)
    {
        var t = new float[n * n];
        Gemm.Transpose<float>(m, n, n, t);
        return t;
    }
}
