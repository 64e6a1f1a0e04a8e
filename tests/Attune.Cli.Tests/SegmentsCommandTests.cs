using System.Text.Json;
using Attune.Core;
using Attune.Storage.Sqlite;
using Attune.TestSupport;

namespace Attune.Cli.Tests;

public sealed class SegmentsCommandTests
{
    [Fact]
    public async Task Segments_are_created_and_listed_offline_from_the_data_folder()
    {
        using var dir = new TempDirectory();
        await using (var store = await SqliteStore.OpenAsync(dir.Path))
        {
            await store.Catalog.UpsertAsync([new Item("s", Categories: ["sports"]), new Item("b", Categories: ["books"])]);
            await store.Events.AppendAsync([
                new Event(null, "fan", "s", EventTypes.Purchase, 20, DateTimeOffset.UtcNow.AddDays(-1)),
                new Event(null, "reader", "b", EventTypes.View, null, DateTimeOffset.UtcNow.AddDays(-2)),
            ]);
        }

        var created = await CliRunner.RunAsync("segments", "create", "fans", """interests.category["sports"] > 0.5""", "--data-dir", dir.Path);
        var members = await CliRunner.RunAsync("segments", "members", "fans", "--data-dir", dir.Path);
        var profile = await CliRunner.RunAsync("segments", "profile", "fan", "--data-dir", dir.Path);

        Assert.Equal(0, created.Code);
        Assert.Equal(1, JsonDocument.Parse(created.Output).RootElement.GetProperty("size").GetInt32());
        Assert.Equal(["fan"], JsonDocument.Parse(members.Output).RootElement.GetProperty("userIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, JsonDocument.Parse(profile.Output).RootElement.GetProperty("orders").GetInt32());
    }

    [Fact]
    public async Task A_bad_rule_fails_with_the_column_and_writes_nothing()
    {
        using var dir = new TempDirectory();

        var run = await CliRunner.RunAsync("segments", "create", "x", "orders >= \"many\"", "--data-dir", dir.Path);
        var list = await CliRunner.RunAsync("segments", "list", "--data-dir", dir.Path);

        Assert.Equal(1, run.Code);
        Assert.Contains("column 11", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, JsonDocument.Parse(list.Output).RootElement.GetProperty("segments").GetArrayLength());
    }
}
