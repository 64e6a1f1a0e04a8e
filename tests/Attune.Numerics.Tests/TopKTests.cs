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
