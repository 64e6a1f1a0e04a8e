using Attune.Numerics;

namespace Attune.Numerics.Tests;

public unsafe class SmallVectorTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(64)]
    [InlineData(200)]
    public void Dot_axpy_and_axpby_match_their_scalar_references(int n)
    {
        var rng = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var expectedY = (float[])y.Clone();
        SmallVector.AxpyReference(0.75f, x, expectedY);
        var axpby = (float[])y.Clone();

        float dot;
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pz = axpby)
        {
            dot = SmallVector.Dot(px, py, n);
            SmallVector.Axpy(0.75f, px, py, n);
            SmallVector.Axpby(0.75f, px, 1f, pz, n);
        }

        Assert.Equal(SmallVector.DotReference(x, expectedY.Select((v, i) => v - (0.75f * x[i])).ToArray()), dot, 1e-4f);
        Assert.Equal(expectedY, y, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal(expectedY, axpby, (a, b) => Math.Abs(a - b) < 1e-6f);
    }
}

public unsafe class SmallVectorDotAxpyTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(32)]
    [InlineData(48)]
    [InlineData(64)]
    [InlineData(128)]
    public void DotAxpy_matches_a_dot_then_a_scalar_axpy(int n)
    {
        var rng = new Random(n + 1);
        var x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var v = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var expectedDot = SmallVector.DotReference(x, v);
        var expectedY = (float[])y.Clone();
        SmallVector.AxpyReference(1.5f - (0.25f * expectedDot), x, expectedY);

        float dot;
        fixed (float* px = x)
        fixed (float* pv = v)
        fixed (float* py = y)
        {
            dot = SmallVector.DotAxpy(px, pv, 1.5f, -0.25f, py, n);
        }

        Assert.Equal(expectedDot, dot, 1e-4f);
        Assert.Equal(expectedY, y, (a, b) => Math.Abs(a - b) < 1e-5f);
    }
}
