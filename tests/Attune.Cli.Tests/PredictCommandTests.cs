using Attune.Datasets.Synthetic;
using Attune.TestSupport;

namespace Attune.Cli.Tests;

public sealed class PredictCommandTests
{
    [Fact]
    public async Task Predict_evaluate_train_and_score_work_on_an_imported_shop()
    {
        using var dir = new TempDirectory();
        var csv = Path.Combine(dir.Path, "events.csv");
        SyntheticShop.Generate(new SyntheticShopOptions(Users: 400, Items: 200, Events: 6_000, Days: 10, PurchaseRate: 0.05, PurchaseIntent: 0.06, Seed: 9))
            .WriteEventsCsv(csv);
        var data = Path.Combine(dir.Path, "data");
        Assert.Equal(0, (await CliRunner.RunAsync("import", "csv", csv, "--data-dir", data)).Code);

        var evaluate = await CliRunner.RunAsync("predict", "evaluate", "--task", "purchase", "--days", "1", "--data-dir", data);
        var train = await CliRunner.RunAsync("predict", "train", "--task", "purchase", "--days", "1", "--data-dir", data);
        var output = Path.Combine(dir.Path, "scores.csv");
        var score = await CliRunner.RunAsync("predict", "score", "--task", "purchase", "--days", "1", "--data-dir", data, "--output", output);
        var discover = await CliRunner.RunAsync("segments", "discover", "--min-k", "2", "--max-k", "4", "--seed", "3", "--data-dir", data);
        var badRange = await CliRunner.RunAsync("segments", "discover", "--min-k", "5", "--max-k", "3", "--data-dir", data);

        Assert.Equal(0, evaluate.Code);
        Assert.Contains("95% DeLong CI", evaluate.Output, StringComparison.Ordinal);
        Assert.Contains("lift by decile", evaluate.Output, StringComparison.Ordinal);
        Assert.Contains("calibration", evaluate.Output, StringComparison.Ordinal);
        Assert.Equal(0, train.Code);
        Assert.Contains("stored purchase_1d-v1", train.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "predictors", "purchase_1d", "v1.model")));
        Assert.Equal(0, score.Code);
        var lines = File.ReadAllLines(output);
        Assert.Equal("user,item,score", lines[0]);
        Assert.True(lines.Length > 300, $"{lines.Length} lines");
        Assert.Equal(0, discover.Code);
        var clusters = System.Text.Json.JsonDocument.Parse(discover.Output).RootElement;
        Assert.InRange(clusters.GetProperty("k").GetInt32(), 2, 4);
        Assert.All(clusters.GetProperty("clusters").EnumerateArray(), c => Assert.False(string.IsNullOrEmpty(c.GetProperty("description").GetString())));
        Assert.NotEqual(0, badRange.Code);
        Assert.Contains("--max-k must be at least minK", badRange.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_with_a_bad_task_or_no_trained_predictor_fails_with_the_reason()
    {
        using var dir = new TempDirectory();

        var badTask = await CliRunner.RunAsync("predict", "train", "--task", "likes", "--data-dir", dir.Path);
        var untrained = await CliRunner.RunAsync("predict", "score", "--task", "churn", "--days", "30", "--data-dir", dir.Path);

        Assert.NotEqual(0, badTask.Code);
        Assert.Contains("task 'likes' is not one of purchase, churn, propensity", badTask.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, untrained.Code);
        Assert.Contains("No trained predictor for churn_30d", untrained.Error, StringComparison.Ordinal);
    }
}
