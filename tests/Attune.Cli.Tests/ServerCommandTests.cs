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
        await cts.CancelAsync();
        var code = await run;

        Assert.Equal(3_000, stats.Events);
        Assert.Equal(100, stats.Items);
        Assert.True(stats.EventsByType.ContainsKey("purchase"));
        Assert.Equal(0, code);
        Assert.Contains($"curl {url}/v1/stats", output.ToString(), StringComparison.Ordinal);
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
