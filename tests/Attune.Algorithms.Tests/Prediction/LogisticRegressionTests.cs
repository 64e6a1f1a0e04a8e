using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Tests.Prediction;

public sealed class LogisticRegressionTests
{
    [Fact]
    public void Gradient_matches_central_finite_differences_of_the_objective()
    {
        var (raw, labels) = SyntheticTables.Logistic(60, [1.0, -2.0, 0.5], 0.3, seed: 1);
        var x = Standardizer.Fit(raw).Transform(raw);
        double[] theta = [0.4, -0.7, 0.2, 0.1];
        var gradient = new double[theta.Length];
        const double l2 = 0.8;

        LogisticRegression.Gradient(x, labels, theta, l2, gradient);

        for (var i = 0; i < theta.Length; i++)
        {
            const double h = 1e-5;
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[i] += h;
            minus[i] -= h;
            var numeric = (LogisticRegression.Objective(x, labels, plus, l2) - LogisticRegression.Objective(x, labels, minus, l2)) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-5 * Math.Max(1, Math.Abs(numeric)), $"θ{i}: analytic {gradient[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Training_decreases_the_loss_at_every_step_and_converges()
    {
        var (table, labels) = SyntheticTables.Logistic(2_000, [1.5, -1.0, 0.0, 0.7], -0.5, seed: 2);

        var model = LogisticRegression.Train(table, labels);

        Assert.True(model.Converged);
        Assert.True(model.LossHistory.Count >= 2);
        for (var i = 1; i < model.LossHistory.Count; i++)
        {
            Assert.True(model.LossHistory[i] < model.LossHistory[i - 1], $"step {i}: {model.LossHistory[i - 1]} -> {model.LossHistory[i]}");
        }
    }

    [Fact]
    public void Coefficients_recover_the_generating_model()
    {
        double[] truth = [1.5, -1.0, 0.0, 0.7];
        var (table, labels) = SyntheticTables.Logistic(40_000, truth, -0.5, seed: 3);

        var model = LogisticRegression.Train(table, labels, new LogisticRegressionOptions(L2: 1e-3));

        // Features are N(0, 1), so the standardized coefficients are close to the raw ones.
        for (var i = 0; i < truth.Length; i++)
        {
            Assert.InRange(model.Coefficients[i], truth[i] - 0.08, truth[i] + 0.08);
        }

        Assert.InRange(model.Intercept, -0.6, -0.4);
        Assert.Equal("f0", model.FeatureImportances()[0].Feature);
        Assert.Equal("f2", model.FeatureImportances()[^1].Feature);
    }

    [Fact]
    public void Separable_data_gives_finite_coefficients_because_of_the_L2_penalty()
    {
        var values = new float[200];
        var labels = new float[200];
        for (var i = 0; i < 200; i++)
        {
            values[i] = i < 100 ? -1 - (i * 0.01f) : 1 + (i * 0.01f);
            labels[i] = i < 100 ? 0f : 1f;
        }

        var model = LogisticRegression.Train(new FeatureTable(values, ["x"]), labels, new LogisticRegressionOptions(L2: 0.1));

        Assert.True(model.Converged);
        Assert.True(float.IsFinite(model.Coefficients[0]) && model.Coefficients[0] is > 0 and < 100, $"coefficient {model.Coefficients[0]}");
        Assert.True(model.PredictProbability([3f]) > 0.99);
        Assert.True(model.PredictProbability([-3f]) < 0.01);
    }

    [Fact]
    public void Training_twice_gives_identical_models()
    {
        var (table, labels) = SyntheticTables.Logistic(500, [0.5, 0.5], 0, seed: 4);

        var a = LogisticRegression.Train(table, labels);
        var b = LogisticRegression.Train(table, labels);

        Assert.Equal(a.Coefficients, b.Coefficients);
        Assert.Equal(a.Intercept, b.Intercept);
    }

    [Fact]
    public void Row_weights_act_like_repeated_rows()
    {
        var (table, labels) = SyntheticTables.Logistic(300, [1.0, -0.5], 0.2, seed: 5);
        var weights = Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? 2f : 1f).ToArray();
        var repeated = Enumerable.Range(0, 300).SelectMany(i => i % 3 == 0 ? new[] { i, i } : [i]).ToArray();
        var weighted = new FeatureTable(table.Values, table.FeatureNames, weights);

        var a = LogisticRegression.Train(weighted, labels);
        var b = LogisticRegression.Train(table.SelectRows(repeated), repeated.Select(i => labels[i]).ToArray());

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(b.Coefficients[i], a.Coefficients[i], 4);
        }
    }

    [Fact]
    public void Labels_other_than_0_and_1_are_rejected_with_their_index()
    {
        var table = new FeatureTable([1f, 2f, 3f], ["x"]);

        var error = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(table, [0f, 2f, 1f]));

        Assert.Contains("labels[1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Standardizer_fitted_on_train_applies_train_statistics_to_test()
    {
        var train = new FeatureTable([1f, 3f], ["x"]);
        var test = new FeatureTable([5f], ["x"]);

        var s = Standardizer.Fit(train);

        Assert.Equal(2f, s.Means[0]);
        Assert.Equal(1f, s.Scales[0]);
        Assert.Equal(3f, s.Transform(test).Values[0]);
    }
}
