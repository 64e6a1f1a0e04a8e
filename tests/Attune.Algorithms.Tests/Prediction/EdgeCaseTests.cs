using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Tests.Prediction;

public sealed class EdgeCaseTests
{
    [Fact]
    public void Models_trained_on_one_class_stay_finite_and_predict_that_class()
    {
        var (table, _) = SyntheticTables.Xor(500, seed: 41);
        var zeros = new float[500];

        var logistic = LogisticRegression.Train(table, zeros);
        var boosted = GradientBoostedTrees.Train(table, zeros, new GradientBoostedTreesOptions(Rounds: 10));
        var forest = RandomForest.Train(table, zeros, new RandomForestOptions(Trees: 5));

        foreach (IBinaryClassifier model in new IBinaryClassifier[] { logistic, boosted, forest })
        {
            var p = model.PredictProbability(table.Row(0));
            Assert.True(double.IsFinite(p) && p < 0.01, $"{model.GetType().Name}: {p}");
        }
    }

    [Fact]
    public void A_bad_csv_line_is_reported_with_its_line_number()
    {
        const string text = "1,2,3,pv,1511544070\n1,2,3,click,1511544071\n";

        var error = Assert.Throws<FormatException>(() => BehaviorEventCsv.Read(new StringReader(text)));

        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("click", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_features_are_rejected_with_row_and_feature()
    {
        var error = Assert.Throws<ArgumentException>(() => new FeatureTable([1f, 2f, float.NaN, 4f], ["a", "b"]));

        Assert.Contains("row 1, feature 'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scoring_a_table_with_other_features_is_an_error()
    {
        var (table, labels) = SyntheticTables.Xor(200, seed: 42);
        var model = LogisticRegression.Train(table, labels);

        Assert.Throws<ArgumentException>(() => model.PredictProbabilities(table.SelectColumns(["x2", "x1", "noise0", "noise1"])));
    }
}
