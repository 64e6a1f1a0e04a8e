using System.Text.Json;
using Attune.Core;
using Attune.Storage.Sqlite;
using Attune.TestSupport;

namespace Attune.Cli.Tests;

public class EvaluateCommandTests
{
    private static JsonElement Model(string stdout) => JsonDocument.Parse(stdout).RootElement.GetProperty("models")[0];

    [DataFact("movielens-100k/u.data")]
    public async Task Evaluate_with_json_prints_a_parsable_report()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--dataset", "movielens-100k", "--path", SharedData.Require("movielens-100k"), "--protocol", "stratified", "--models", "popularity", "--k", "10,20", "--json");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(943, root.GetProperty("evaluatedUsers").GetInt32());
        var model = root.GetProperty("models")[0];
        Assert.Equal("popularity", model.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(model.GetProperty("options").GetString()));
        Assert.True(model.GetProperty("fitSeconds").GetDouble() >= 0);
        Assert.True(model.GetProperty("recommendSeconds").GetDouble() >= 0);
        Assert.True(model.GetProperty("peakMemoryMB").GetDouble() > 0);
        var metrics = model.GetProperty("metrics");
        foreach (var key in new[] { "ndcg@10", "precision@10", "recall@10", "hr@10", "map@10", "mrr@10", "ndcg@20", "coverage@10", "novelty@10", "arp@10", "diversity@10" })
        {
            Assert.True(metrics.TryGetProperty(key, out _), key);
        }

        Assert.InRange(metrics.GetProperty("ndcg@10").GetDouble(), 0.2, 0.3);
        Assert.Equal(4, model.GetProperty("groups").GetArrayLength());
    }

    [DataFact("movielens-100k/u.data")]
    public async Task Evaluate_with_out_writes_json_markdown_and_svg()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await CliRunner.RunAsync("evaluate", "--dataset", "movielens-100k", "--path", SharedData.Require("movielens-100k"), "--models", "popularity", "--out", dir.Path);

        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(dir.Path, "report.json")));
        Assert.Contains("| popularity |", File.ReadAllText(Path.Combine(dir.Path, "report.md")), StringComparison.Ordinal);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir.Path, "ndcg-at-10.svg")), StringComparison.Ordinal);
    }

    // One run per dataset in shared/data that has users and items, with a cheap model and the protocol that suits it.
    [DataFact("movielens-1m/ratings-users-0001-2999.dat.gz")]
    public Task Evaluate_runs_on_movielens_1m_partial_leave_last_out() =>
        RunsOn("movielens-1m", "movielens-1m", "leave-last-out", minUsers: 2999, minHitRate: 0.02);

    [DataFact("movielens-latest-small/ratings.csv")]
    public Task Evaluate_runs_on_movielens_latest_small() =>
        RunsOn("movielens-latest", "movielens-latest-small", "stratified", minUsers: 600, minHitRate: 0.3);

    [DataFact("taobao-userbehavior-sample/UserBehavior-first814users.csv")]
    public Task Evaluate_runs_on_the_taobao_sample_temporal() =>
        RunsOn("taobao", "taobao-userbehavior-sample", "temporal", minUsers: 100, minHitRate: 0.0);

    [DataFact("rees46-ecommerce-2019oct-head/2019-Oct-head5019.csv")]
    public Task Evaluate_runs_on_the_rees46_head() =>
        RunsOn("rees46", "rees46-ecommerce-2019oct-head", "stratified", minUsers: 50, minHitRate: 0.0);

    [DataFact("movielens-1m/implicit-colakg/train.txt")]
    public Task Evaluate_runs_on_the_colakg_given_split() =>
        RunsOn("colakg", "movielens-1m/implicit-colakg", "given", minUsers: 6040, minHitRate: 0.3);

    [Fact]
    public async Task An_unknown_model_fails_with_a_clear_message()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("evaluate", "--dataset", "colakg", "--path", "/nonexistent", "--protocol", "given", "--models", "popularity,no-such-model");

        Assert.Equal(2, code);
        Assert.Contains("no-such-model", stderr, StringComparison.Ordinal);
        Assert.Contains("Known", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_model_option_fails_with_the_options_listed()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("evaluate", "--dataset", "colakg", "--path", "/nonexistent", "--models", "popularity:colour=red");

        Assert.Equal(2, code);
        Assert.Contains("colour", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_path_fails_with_a_clear_message()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("evaluate", "--dataset", "movielens-100k", "--path", "/nonexistent/ml", "--models", "popularity");

        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/ml", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_protocol_and_a_bad_k_fail_with_exit_code_2()
    {
        var (protocolCode, _, protocolError) = await CliRunner.RunAsync("evaluate", "--dataset", "movielens-100k", "--path", "/tmp", "--protocol", "kfold", "--models", "popularity");
        var (kCode, _, kError) = await CliRunner.RunAsync("evaluate", "--dataset", "movielens-100k", "--path", "/tmp", "--models", "popularity", "--k", "10,x");

        Assert.Equal(2, protocolCode);
        Assert.Contains("kfold", protocolError, StringComparison.Ordinal);
        Assert.Equal(2, kCode);
        Assert.Contains("--k", kError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_reads_a_stores_own_events_from_its_data_directory()
    {
        using var dir = new TempDirectory();
        await using (var store = await SqliteStore.OpenAsync(dir.Path))
        {
            var events = new List<Event>();
            var t = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
            for (var u = 0; u < 20; u++)
            {
                for (var i = 0; i < 8; i++)
                {
                    // Everyone likes the low items; every user also has a few of their own.
                    var item = i < 5 ? i : 5 + ((u + i) % 10);
                    events.Add(new Event($"e{u}-{i}", $"user{u}", $"item{item}", EventTypes.View, null, t.AddMinutes((u * 10) + i)));
                }
            }

            await store.Events.AppendAsync(events);
        }

        var (code, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--data-dir", dir.Path, "--protocol", "leave-last-out", "--models", "popularity", "--k", "5", "--json");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(20, root.GetProperty("evaluatedUsers").GetInt32());
        Assert.Equal(15, root.GetProperty("items").GetInt32());
        Assert.Equal(140, root.GetProperty("trainInteractions").GetInt32());
    }

    [Fact]
    public async Task A_data_directory_without_a_store_is_a_clear_error()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await CliRunner.RunAsync("evaluate", "--data-dir", dir.Path, "--models", "popularity");

        Assert.Equal(2, code);
        Assert.Contains("attune.db", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "attune.db")));
    }

    private static async Task RunsOn(string dataset, string path, string protocol, int minUsers, double minHitRate)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("evaluate", "--dataset", dataset, "--path", SharedData.Require(path), "--protocol", protocol, "--models", "popularity", "--k", "10", "--json");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.True(root.GetProperty("evaluatedUsers").GetInt32() >= minUsers, stdout[..Math.Min(400, stdout.Length)]);
        var metrics = Model(stdout).GetProperty("metrics");
        Assert.InRange(metrics.GetProperty("ndcg@10").GetDouble(), 0.0, 1.0);
        Assert.True(metrics.GetProperty("hr@10").GetDouble() >= minHitRate, $"hr@10 {metrics.GetProperty("hr@10").GetDouble()}");
        Assert.True(metrics.GetProperty("coverage@10").GetDouble() > 0);
    }
}
