using Attune.Storage.Sqlite;
using Attune.TestSupport;

namespace Attune.Cli.Tests;

public sealed class ImportCommandTests
{
    [DataFact("movielens-100k/u.data")]
    public async Task Import_movielens_100k_stores_exactly_100000_events_943_users_1682_items_and_reimport_adds_nothing()
    {
        using var dir = new TempDirectory();
        var path = SharedData.Require("movielens-100k");

        var first = await CliRunner.RunAsync("import", "movielens-100k", path, "--data-dir", dir.Path);
        var second = await CliRunner.RunAsync("import", "movielens-100k", path, "--data-dir", dir.Path);

        Assert.True(first.Code == 0, first.Error + first.Output);
        Assert.Equal(0, second.Code);
        Assert.Contains("100,000 stored, 0 duplicates", first.Output, StringComparison.Ordinal);
        Assert.Contains("0 stored, 100,000 duplicates", second.Output, StringComparison.Ordinal);
        await using var store = await SqliteStore.OpenAsync(dir.Path);
        var stats = await store.Events.GetStatsAsync();
        Assert.Equal(100_000, stats.Events);
        Assert.Equal(943, stats.Users);
        Assert.Equal(1_682, stats.Items);
        Assert.Equal(100_000, stats.EventsByType["rating"]);
        var toyStory = await store.Catalog.GetAsync("1");
        Assert.Equal("Toy Story (1995)", toyStory!.Title);
        var user = await store.Users.GetAsync("1");
        Assert.Equal("technician", user!.Attributes["occupation"].GetString());
    }

    [DataFact("taobao-userbehavior-sample/UserBehavior-first814users.csv")]
    public async Task Import_taobao_stores_84287_events_and_55233_items()
    {
        using var dir = new TempDirectory();

        var run = await CliRunner.RunAsync("import", "taobao", SharedData.Require("taobao-userbehavior-sample"), "--data-dir", dir.Path);

        Assert.True(run.Code == 0, run.Error + run.Output);
        await using var store = await SqliteStore.OpenAsync(dir.Path);
        var stats = await store.Events.GetStatsAsync();
        Assert.Equal(84_287, stats.Events);
        Assert.Equal(814, stats.Users);
        Assert.Equal(1_749, stats.EventsByType["purchase"]);
        Assert.NotNull(await store.Catalog.GetAsync("2268318"));
    }

    [DataFact("rees46-ecommerce-2019oct-head/2019-Oct-head5019.csv")]
    public async Task Import_rees46_counts_the_row_written_four_times_as_three_duplicates()
    {
        using var dir = new TempDirectory();

        var run = await CliRunner.RunAsync("import", "rees46", SharedData.Require("rees46-ecommerce-2019oct-head"), "--data-dir", dir.Path);

        Assert.True(run.Code == 0, run.Error + run.Output);
        Assert.Contains("5,016 stored, 3 duplicates", run.Output, StringComparison.Ordinal);
        await using var store = await SqliteStore.OpenAsync(dir.Path);
        Assert.Equal(5_016, (await store.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Import_of_a_file_with_bad_lines_stores_the_good_rows_and_reports_each_bad_line_by_number()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "events.csv");
        await File.WriteAllTextAsync(file, "user,item,type,timestamp\nu1,i1,view,1700000000\nu2,i2,view,yesterday\nu3,i3,view,1700000002\n,i4,view,1700000003\n");
        var data = Path.Combine(dir.Path, "data");

        var run = await CliRunner.RunAsync("import", "csv", file, "--data-dir", data);

        Assert.Equal(ExitCodes.CompletedWithRejectedRows, run.Code);
        Assert.Contains("events.csv line 3: timestamp 'yesterday'", run.Output, StringComparison.Ordinal);
        Assert.Contains("events.csv line 5: user id is empty", run.Output, StringComparison.Ordinal);
        Assert.Contains("Rejected rows: 2", run.Output, StringComparison.Ordinal);
        await using var store = await SqliteStore.OpenAsync(data);
        Assert.Equal(2, (await store.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Import_of_a_missing_path_fails_with_a_message_naming_it()
    {
        using var dir = new TempDirectory();

        var run = await CliRunner.RunAsync("import", "taobao", "/nonexistent/attune-file.csv", "--data-dir", dir.Path);

        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Contains("/nonexistent/attune-file.csv", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_with_an_unknown_format_is_a_usage_error()
    {
        var run = await CliRunner.RunAsync("import", "parquet", "x.parquet");

        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Contains("parquet", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_with_both_data_dir_and_server_is_refused()
    {
        var run = await CliRunner.RunAsync("import", "jsonl", "x.jsonl", "--data-dir", "d", "--server", "http://127.0.0.1:1");

        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Contains("not both", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_csv_with_an_unknown_column_names_the_header_columns()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "e.csv");
        await File.WriteAllTextAsync(file, "who,what,when\nu1,i1,1700000000\n");

        var run = await CliRunner.RunAsync("import", "csv", file, "--data-dir", Path.Combine(dir.Path, "data"), "--user-column", "customer");

        Assert.Equal(ExitCodes.Error, run.Code);
        Assert.Contains("who, what, when", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command_and_format()
    {
        var root = await CliRunner.RunAsync("--help");
        var import = await CliRunner.RunAsync("import", "--help");
        var csv = await CliRunner.RunAsync("import", "csv", "--help");

        Assert.Equal(0, root.Code);
        foreach (var c in new[] { "serve", "import", "stats", "demo" })
        {
            Assert.Contains(c, root.Output, StringComparison.Ordinal);
        }

        foreach (var f in Datasets.DatasetFormats.Names)
        {
            Assert.Contains(f, import.Output, StringComparison.Ordinal);
        }

        Assert.Contains("--timestamp-column", csv.Output, StringComparison.Ordinal);
        Assert.Contains("--data-dir", csv.Output, StringComparison.Ordinal);
    }
}
