using Attune.Numerics;

namespace Attune.Numerics.Tests;

public class TopKTests
{
    [Fact]
    public void Select_returns_the_largest_scores_best_first()
    {
        float[] s = [0.1f, 5f, 3f, -2f, 4f, 4.5f];
        var idx = new int[3];
        var val = new float[3];
        Assert.Equal(3, TopK.Select(s, 3, idx, val));
        Assert.Equal([1, 5, 4], idx);
        Assert.Equal([5f, 4.5f, 4f], val);
    }

    [Fact]
    public void Select_breaks_ties_by_smaller_index()
    {
        float[] s = [1f, 2f, 2f, 2f, 0f];
        var idx = new int[2];
        var val = new float[2];
        TopK.Select(s, 2, idx, val);
        Assert.Equal([1, 2], idx);
    }

    [Fact]
    public void Select_skips_negative_infinity_and_nan()
    {
        float[] s = [float.NegativeInfinity, float.NaN, 1f];
        var idx = new int[3];
        var val = new float[3];
        Assert.Equal(1, TopK.Select(s, 3, idx, val));
        Assert.Equal(2, idx[0]);
    }

    [Fact]
    public void Select_matches_a_full_sort_on_random_data()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = rng.Next(1, 400);
            var k = rng.Next(1, 30);
            var s = Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble() * 20)).ToArray();
            var expected = Enumerable.Range(0, n).OrderByDescending(i => s[i]).ThenBy(i => i).Take(k).ToArray();
            var idx = new int[k];
            var val = new float[k];
            var count = TopK.Select(s, k, idx, val);
            Assert.Equal(expected, idx[..count]);
        }
    }
}

public class TopKPartitionTests
{
    [Theory]
    [InlineData(3260, 200, 1)]
    [InlineData(3260, 200, 2)]
    [InlineData(1000, 100, 3)]
    [InlineData(500, 32, 4)]
    [InlineData(100_000, 1000, 5)]
    public void Large_k_matches_a_full_sort_on_distinct_scores(int n, int k, int seed)
    {
        var rng = new Random(seed);
        var s = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();

        var (idx, val) = Run(s, k);

        Assert.Equal(Reference(s, k), idx);
        Assert.Equal(idx.Select(i => s[i]), val);
    }

    [Fact]
    public void Large_k_matches_a_full_sort_with_ties_infinities_nan_and_signed_zeros()
    {
        var rng = new Random(9);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = rng.Next(64, 5000);
            var k = rng.Next(32, Math.Max(33, n / 2));
            var levels = rng.Next(1, 40);
            var s = new float[n];
            for (var i = 0; i < n; i++)
            {
                s[i] = rng.Next(12) switch
                {
                    0 => float.NegativeInfinity,
                    1 => float.NaN,
                    2 => rng.Next(2) == 0 ? -0f : 0f,
                    3 => float.PositiveInfinity,
                    _ => rng.Next(levels) - (levels / 2),
                };
            }

            if (trial % 3 == 0)
            {
                // Mostly excluded items: fewer selectable scores than k.
                for (var i = 0; i < n; i++)
                {
                    s[i] = rng.Next(20) == 0 ? s[i] : float.NegativeInfinity;
                }
            }

            var (idx, val) = Run(s, k);

            Assert.Equal(Reference(s, k), idx);
            Assert.Equal(idx.Select(i => s[i]), val);
        }
    }

    [Fact]
    public void Large_k_on_sorted_input_matches_a_full_sort()
    {
        var ascending = Enumerable.Range(0, 4000).Select(i => (float)i).ToArray();
        var descending = ascending.Reverse().ToArray();

        Assert.Equal(Reference(ascending, 300), Run(ascending, 300).Indices);
        Assert.Equal(Reference(descending, 300), Run(descending, 300).Indices);
    }

    private static (int[] Indices, float[] Values) Run(float[] s, int k)
    {
        var idx = new int[k];
        var val = new float[k];
        var count = TopK.Select(s, k, idx, val);
        return (idx[..count], val[..count]);
    }

    private static int[] Reference(float[] s, int k) =>
        Enumerable.Range(0, s.Length).Where(i => s[i] > float.NegativeInfinity).OrderByDescending(i => s[i]).ThenBy(i => i).Take(k).ToArray();
}
