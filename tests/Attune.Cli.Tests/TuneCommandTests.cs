using System.Text.Json;
using Attune.Cli.Commands;
using Attune.TestSupport;

namespace Attune.Cli.Tests;

public class TuneCommandTests
{
    [DataFact("movielens-100k/u.data")]
    public async Task Tune_prints_the_best_options_with_validation_and_test_scores()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("tune", "--dataset", "movielens-100k", "--path", SharedData.Require("movielens-100k"), "--model", "item-knn", "--budget", "120s", "--max-trials", "2", "--metric", "ndcg@10", "--json");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(2, root.GetProperty("trials").GetArrayLength());
        Assert.StartsWith("item-knn", root.GetProperty("best").GetString(), StringComparison.Ordinal);
        Assert.InRange(root.GetProperty("validation").GetDouble(), 0.05, 1.0);
        Assert.InRange(root.GetProperty("test").GetDouble(), 0.05, 1.0);
        Assert.Contains("trial 1", stderr, StringComparison.Ordinal);
    }

    [DataFact("movielens-100k/u.data")]
    public async Task Tune_with_several_folds_reports_the_mean_and_spread_of_each_trial()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("tune", "--dataset", "movielens-100k", "--path", SharedData.Require("movielens-100k"), "--model", "popularity", "--budget", "120s", "--folds", "2", "--json");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(2, root.GetProperty("folds").GetInt32());
        var trial = root.GetProperty("trials")[0];
        var folds = trial.GetProperty("foldScores").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(2, folds.Length);
        Assert.Equal(folds.Average(), root.GetProperty("validation").GetDouble(), 9);
        Assert.True(root.GetProperty("validationSpread").GetDouble() > 0);
        Assert.Contains("over 2 folds", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zero_folds_fail_with_exit_code_2()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("tune", "--dataset", "movielens-100k", "--path", "/tmp", "--model", "popularity", "--folds", "0");

        Assert.Equal(2, code);
        Assert.Contains("--folds", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("60s", 60)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("90", 90)]
    [InlineData("00:02:00", 120)]
    public void Budget_accepts_units(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), TuneCommand.ParseBudget(text));
    }

    [Fact]
    public async Task A_bad_budget_fails_with_exit_code_2()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("tune", "--dataset", "movielens-100k", "--path", "/tmp", "--model", "item-knn", "--budget", "soon");

        Assert.Equal(2, code);
        Assert.Contains("--budget", stderr, StringComparison.Ordinal);
    }
}
