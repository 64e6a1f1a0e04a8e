using Attune.Numerics;

namespace Attune.Numerics.Tests;

public class VectorOpsTests
{
    [Fact]
    public void Dot_and_axpy_match_hand_computed_values()
    {
        float[] x = [1, 2, 3];
        float[] y = [4, 5, 6];

        Assert.Equal(32f, VectorOps.Dot(x, y));
        VectorOps.Axpy(2f, x, y);
        Assert.Equal([6f, 9f, 12f], y);
    }

    [Fact]
    public void Cosine_of_a_zero_vector_is_zero_not_NaN()
    {
        Assert.Equal(0f, VectorOps.Cosine([0f, 0f], [1f, 2f]));
        Assert.Equal(1f, VectorOps.Cosine([1f, 2f], [2f, 4f]), 1e-6f);
    }

    [Fact]
    public void EnsureFinite_names_the_bad_index()
    {
        float[] x = [1, 2, float.PositiveInfinity, 4];
        var ex = Assert.Throws<ArithmeticException>(() => VectorOps.EnsureFinite(x, "factors"));
        Assert.Contains("index 2", ex.Message, StringComparison.Ordinal);
        VectorOps.EnsureFinite([1f, 2f], "fine");
    }
}
