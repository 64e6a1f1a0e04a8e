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
}
