using System.Net.Http.Json;
using Attune.Storage;
using Attune.TestSupport;

namespace Attune.Cli.Tests;

public sealed class ServerCommandTests
{
    [Fact]
    public async Task Demo_starts_a_server_whose_stats_show_the_generated_shop_then_stops_on_cancel()
    {
        using var dir = new TempDirectory();
        var data = Path.Combine(dir.Path, "demo");
        var url = $"http://127.0.0.1:{CliRunner.FreePort()}";
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var output = new StringWriter();
        var run = AttuneCli.RunAsync(["demo", "--urls", url, "--data-dir", data, "--users", "200", "--items", "100", "--events", "3000", "--seed", "5"], TextWriter.Synchronized(output), TextWriter.Null, cts.Token);

        var stats = await WaitForStatsAsync(url, run, cts.Token);
        using var http = new HttpClient();
        var models = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"{url}/v1/models", cts.Token);
        var quality = (await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"{url}/v1/stats", cts.Token)).GetProperty("quality");
        await cts.CancelAsync();
        var code = await run;

        Assert.Equal(3_000, stats.Events);
        Assert.Equal(100, stats.Items);
        Assert.True(stats.EventsByType.ContainsKey("purchase"));
        Assert.Equal(0, code);
        Assert.Contains($"curl {url}/v1/stats", output.ToString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(models.GetProperty("active").GetString()), "the demo serves a trained model from the start");
        Assert.True(quality.GetProperty("profiles").GetInt64() > 0, "the demo's users have profiles from the start");
    }

    [Fact]
    public async Task Demo_refuses_a_data_dir_that_is_not_empty()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "attune.db"), "x");

        var run = await CliRunner.RunAsync("demo", "--data-dir", dir.Path);

        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Contains("not empty", run.Error, StringComparison.Ordinal);
    }

    [DataFact("movielens-100k/u.data")]
    public async Task Serve_on_imported_data_answers_stats_and_stats_command_reads_it_over_http()
    {
        using var dir = new TempDirectory();
        var import = await CliRunner.RunAsync("import", "movielens-100k", SharedData.Require("movielens-100k"), "--data-dir", dir.Path);
        Assert.Equal(0, import.Code);
        var url = $"http://127.0.0.1:{CliRunner.FreePort()}";
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var serve = AttuneCli.RunAsync(["serve", "--data-dir", dir.Path, "--urls", url], TextWriter.Null, TextWriter.Null, cts.Token);

        var stats = await WaitForStatsAsync(url, serve, cts.Token);
        var viaCli = await CliRunner.RunAsync("stats", "--server", url);
        await cts.CancelAsync();
        await serve;

        Assert.Equal(100_000, stats.Events);
        Assert.Equal(943, stats.Users);
        Assert.Equal(0, viaCli.Code);
        Assert.Contains("100,000", viaCli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_through_the_server_writes_items_users_and_events_once()
    {
        using var dir = new TempDirectory();
        var dataset = Path.Combine(dir.Path, "ml");
        Directory.CreateDirectory(dataset);
        await File.WriteAllTextAsync(Path.Combine(dataset, "u.data"), "1\t10\t4\t881250949\n2\t10\t5\t881250950\n2\t11\t1\t881250951\n");
        await File.WriteAllTextAsync(Path.Combine(dataset, "u.item"), "10|A (1995)|01-Jan-1995||u|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n11|B (1996)|01-Jan-1996||u|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
        await File.WriteAllTextAsync(Path.Combine(dataset, "u.user"), "1|24|M|technician|85711\n2|53|F|other|94043\n");
        var url = $"http://127.0.0.1:{CliRunner.FreePort()}";
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var serve = AttuneCli.RunAsync(["serve", "--data-dir", Path.Combine(dir.Path, "data"), "--urls", url], TextWriter.Null, TextWriter.Null, cts.Token);
        await WaitForStatsAsync(url, serve, cts.Token);

        var first = await CliRunner.RunAsync("import", "movielens-100k", dataset, "--server", url);
        var second = await CliRunner.RunAsync("import", "movielens-100k", dataset, "--server", url);
        var stats = await WaitForStatsAsync(url, serve, cts.Token);
        using var client = new Attune.Client.AttuneClient(new Uri(url));
        var item = await client.GetItemAsync("11", cts.Token);
        var user = await client.GetUserAsync("2", cts.Token);
        await cts.CancelAsync();
        await serve;

        Assert.True(first.Code == 0, first.Error + first.Output);
        Assert.Contains("3 stored, 0 duplicates", first.Output, StringComparison.Ordinal);
        Assert.Contains("0 stored, 3 duplicates", second.Output, StringComparison.Ordinal);
        Assert.Equal(3, stats.Events);
        Assert.Equal(["Adventure"], item!.Categories);
        Assert.Equal("other", user!.Attributes["occupation"].GetString());
    }

    [Fact]
    public async Task Import_to_an_unreachable_server_fails_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "e.jsonl");
        await File.WriteAllTextAsync(file, "{\"userId\":\"u\",\"type\":\"view\",\"timestamp\":1700000000}\n");

        var run = await CliRunner.RunAsync("import", "jsonl", file, "--server", $"http://127.0.0.1:{CliRunner.FreePort()}");

        Assert.Equal(ExitCodes.Error, run.Code);
        Assert.Contains("cannot reach", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_dir_defaults_to_the_ATTUNE__DATADIR_environment_variable()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "e.jsonl");
        await File.WriteAllTextAsync(file, "{\"userId\":\"u\",\"type\":\"view\",\"timestamp\":1700000000}\n");
        var data = Path.Combine(dir.Path, "from-env");
        Environment.SetEnvironmentVariable("ATTUNE__DATADIR", data);
        try
        {
            var run = await CliRunner.RunAsync("import", "jsonl", file);

            Assert.True(run.Code == 0, run.Error + run.Output);
            Assert.True(File.Exists(Path.Combine(data, "attune.db")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ATTUNE__DATADIR", null);
        }
    }

    [Fact]
    public async Task Stats_on_a_missing_data_dir_fails_clearly()
    {
        var run = await CliRunner.RunAsync("stats", "--data-dir", "/nonexistent/attune-data");

        Assert.Equal(ExitCodes.Error, run.Code);
        Assert.Contains("does not exist", run.Error, StringComparison.Ordinal);
    }

    private static async Task<EventStats> WaitForStatsAsync(string url, Task<int> server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (server.IsCompleted)
            {
                throw new InvalidOperationException($"The server stopped with exit code {await server} before answering.");
            }

            try
            {
                var stats = await http.GetFromJsonAsync<EventStats>("/v1/stats", System.Text.Json.JsonSerializerOptions.Web, cancellationToken);
                if (stats is not null)
                {
                    return stats;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
