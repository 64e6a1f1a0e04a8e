using Attune.Core;
using Attune.Engine.Models;
using Attune.Storage.Sqlite;
using Attune.TestSupport;

namespace Attune.Cli.Tests;

public sealed class ModelsCommandTests
{
    [Fact]
    public async Task Train_list_and_activate_work_on_a_data_folder()
    {
        using var dir = new TempDirectory();
        await SeedAsync(dir.Path);

        var first = await CliRunner.RunAsync("models", "train", "--data-dir", dir.Path, "--algorithm", "ease:lambda=10");
        var second = await CliRunner.RunAsync("models", "train", "--data-dir", dir.Path, "--algorithm", "ease:lambda=20");
        var versions = new ModelStore(dir.Path).Versions();
        var list = await CliRunner.RunAsync("models", "list", "--data-dir", dir.Path);
        var activate = await CliRunner.RunAsync("models", "activate", versions[^1], "--data-dir", dir.Path);

        Assert.True(first.Code == 0, first.Output + first.Error);
        Assert.Contains("Promoted: No model was active", first.Output, StringComparison.Ordinal);
        Assert.Equal(0, second.Code);
        Assert.Equal(2, versions.Count);
        Assert.Equal(0, list.Code);
        Assert.Contains(versions[0], list.Output, StringComparison.Ordinal);
        Assert.Contains("ease:lambda=10", list.Output, StringComparison.Ordinal);
        Assert.Equal(0, activate.Code);
        Assert.Equal(versions[^1], new ModelStore(dir.Path).ReadActive()?.Version);
    }

    [Fact]
    public async Task Activate_of_an_unknown_version_fails_with_a_usage_error()
    {
        using var dir = new TempDirectory();

        var result = await CliRunner.RunAsync("models", "activate", "20260101T000000000Z-0000", "--data-dir", dir.Path);

        Assert.Equal(ExitCodes.Usage, result.Code);
        Assert.Contains("no such version", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_an_unknown_algorithm_is_a_usage_error()
    {
        using var dir = new TempDirectory();

        var result = await CliRunner.RunAsync("models", "train", "--data-dir", dir.Path, "--algorithm", "nope");

        Assert.Equal(ExitCodes.Usage, result.Code);
        Assert.Contains("Unknown algorithm 'nope'", result.Error + result.Output, StringComparison.Ordinal);
    }

    private static async Task SeedAsync(string dataDir)
    {
        await using var store = await SqliteStore.OpenAsync(dataDir);
        await store.MigrateAsync();
        var random = new Random(5);
        var events = new List<Event>();
        var start = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);
        for (var t = 0; t < 12; t++)
        {
            for (var u = 0; u < 30; u++)
            {
                var item = ((u % 3) * 10) + random.Next(10);
                events.Add(new Event($"e{events.Count}", $"u{u}", $"i{item}", EventTypes.View, null, start.AddMinutes(events.Count)));
            }
        }

        await store.Events.AppendAsync(events);
    }
}
