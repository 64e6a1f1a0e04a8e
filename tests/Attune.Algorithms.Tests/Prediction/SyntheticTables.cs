using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Tests.Prediction;

/// <summary>Small synthetic classification tables whose right answer is known.</summary>
internal static class SyntheticTables
{
    /// <summary>x1, x2 uniform in [−1, 1] plus <paramref name="noiseFeatures"/> irrelevant ones; y = 1 when x1·x2 &gt; 0.</summary>
    public static (FeatureTable Table, float[] Labels) Xor(int rows, int seed, int noiseFeatures = 2, double flip = 0.0)
    {
        var rng = new Random(seed);
        var d = 2 + noiseFeatures;
        var values = new float[rows * d];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < d; c++)
            {
                values[(r * d) + c] = (float)((rng.NextDouble() * 2) - 1);
            }

            var positive = values[r * d] * values[(r * d) + 1] > 0;
            if (rng.NextDouble() < flip)
            {
                positive = !positive;
            }

            labels[r] = positive ? 1f : 0f;
        }

        var names = new[] { "x1", "x2" }.Concat(Enumerable.Range(0, noiseFeatures).Select(i => $"noise{i}")).ToArray();
        return (new FeatureTable(values, names), labels);
    }

    /// <summary>Standard normal features and labels drawn from a known logistic model.</summary>
    public static (FeatureTable Table, float[] Labels) Logistic(int rows, double[] coefficients, double intercept, int seed)
    {
        var rng = new Random(seed);
        var d = coefficients.Length;
        var values = new float[rows * d];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var z = intercept;
            for (var c = 0; c < d; c++)
            {
                var x = Normal(rng);
                values[(r * d) + c] = (float)x;
                z += coefficients[c] * x;
            }

            labels[r] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1f : 0f;
        }

        return (new FeatureTable(values, Enumerable.Range(0, d).Select(i => $"f{i}").ToArray()), labels);
    }

    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
