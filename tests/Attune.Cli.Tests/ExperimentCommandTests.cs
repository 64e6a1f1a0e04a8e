using Attune.Engine.Campaigns;
using Attune.Experiments.Simulation;
using Attune.TestSupport;

namespace Attune.Cli.Tests;

public sealed class ExperimentCommandTests
{
    [Fact]
    public async Task Experiments_create_list_and_assign_work_on_a_data_folder()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "exp.json");
        await File.WriteAllTextAsync(file, """{"id":"hero","variants":[{"id":"a"},{"id":"b"}],"metrics":[{"name":"buy","kind":"conversion","eventType":"purchase"}],"status":"running"}""");

        var created = await CliRunner.RunAsync("experiments", "create", file, "--data-dir", dir.Path);
        var list = await CliRunner.RunAsync("experiments", "list", "--data-dir", dir.Path);
        var assign = await CliRunner.RunAsync("experiments", "assign", "alice", "--data-dir", dir.Path);

        Assert.Equal(0, created.Code);
        Assert.Contains("hero layer=default", list.Output, StringComparison.Ordinal);
        Assert.Matches("hero: [ab]", assign.Output);
    }

    [Fact]
    public async Task An_invalid_experiment_file_fails_with_the_field_named()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "exp.json");
        await File.WriteAllTextAsync(file, """{"id":"hero","variants":[{"id":"a"}]}""");

        var result = await CliRunner.RunAsync("experiments", "create", file, "--data-dir", dir.Path);

        Assert.NotEqual(0, result.Code);
        Assert.Contains("variants", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Power_prints_the_sample_size()
    {
        var result = await CliRunner.RunAsync("experiments", "power", "--baseline", "0.1", "--mde", "0.2");

        Assert.Equal(0, result.Code);
        Assert.StartsWith("3841 users per group", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ope_reads_logged_decisions_and_names_the_bad_line()
    {
        using var dir = new TempDirectory();
        var good = Path.Combine(dir.Path, "good.jsonl");
        var bad = Path.Combine(dir.Path, "bad.jsonl");
        var lines = Enumerable.Range(0, 200).Select(i => $$"""{"action":{{i % 2}},"propensity":0.5,"reward":{{(i % 2 == 1 && i % 3 == 0 ? 1 : 0)}}}""");
        await File.WriteAllLinesAsync(good, lines);
        await File.WriteAllLinesAsync(bad, ["""{"action":0,"propensity":0.5,"reward":1}""", """{"action":0,"reward":1}"""]);

        var ok = await CliRunner.RunAsync("ope", "--logs", good, "--target", "fixed:weights=0,1");
        var failed = await CliRunner.RunAsync("ope", "--logs", bad);

        Assert.Equal(0, ok.Code);
        Assert.Contains("dr", ok.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, failed.Code);
        Assert.Contains("line 2", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_reports_every_policy()
    {
        var result = await CliRunner.RunAsync("simulate", "--steps", "500", "--users", "200", "--policies", "thompson:samples=10;linucb");

        Assert.Equal(0, result.Code);
        Assert.Contains("thompson:", result.Output, StringComparison.Ordinal);
        Assert.Contains("linucb:", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_through_the_decision_service_reports_every_policy()
    {
        var result = await CliRunner.RunAsync("simulate", "--steps", "500", "--users", "200", "--through", "decide", "--policies", "thompson:samples=10;linucb");

        Assert.Equal(0, result.Code);
        Assert.Contains("decide:thompson:", result.Output, StringComparison.Ordinal);
        Assert.Contains("decide:linucb:", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ope_evaluates_a_campaigns_own_decisions_log_in_the_data_folder()
    {
        using var dir = new TempDirectory();
        var population = new Population(new PopulationOptions { Users = 100, Segments = 1, Seed = 3 });
        await using (var channel = new DecisionServiceChannel(dir.Path, population, "fixed"))
        {
            new BanditSimulation(population, 300, seed: 2).Run(channel);
        }

        var ok = await CliRunner.RunAsync("ope", "--campaign-id", DecisionServiceChannel.CampaignId, "--target", "variant:v1", "--data-dir", dir.Path);
        var unknown = await CliRunner.RunAsync("ope", "--campaign-id", "nope", "--data-dir", dir.Path);
        var badTarget = await CliRunner.RunAsync("ope", "--campaign-id", DecisionServiceChannel.CampaignId, "--target", "variant:zzz", "--data-dir", dir.Path);

        Assert.Equal(0, ok.Code);
        Assert.Contains("300 decisions", ok.Output, StringComparison.Ordinal);
        Assert.Contains("snips", ok.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown.Code);
        Assert.Contains("'nope' does not exist", unknown.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, badTarget.Code);
        Assert.Contains("no variant 'zzz'", badTarget.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boundaries_prints_one_row_per_planned_look()
    {
        var result = await CliRunner.RunAsync("experiments", "boundaries", "--looks", "5");

        Assert.Equal(0, result.Code);
        Assert.Contains("4.8769", result.Output, StringComparison.Ordinal);
        Assert.Contains("2.0310", result.Output, StringComparison.Ordinal);
    }
}
