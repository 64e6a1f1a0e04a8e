using Attune.TestSupport;

namespace Attune.Cli.Tests;

public sealed class CampaignsCommandTests
{
    [Fact]
    public async Task Campaigns_are_created_listed_shown_and_deleted_in_a_data_folder()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "spring.json");
        await File.WriteAllTextAsync(file, """
            { "id": "spring", "placement": "home_banner", "variants": [ { "id": "a", "template": "Hi {{user.first_name | default: \"there\"}}" }, { "id": "b", "template": "Hello" } ] }
            """);
        var data = Path.Combine(dir.Path, "data");

        var create = await CliRunner.RunAsync("campaigns", "create", file, "--data-dir", data);
        var again = await CliRunner.RunAsync("campaigns", "create", file, "--data-dir", data);
        var list = await CliRunner.RunAsync("campaigns", "list", "--data-dir", data);
        var show = await CliRunner.RunAsync("campaigns", "show", "spring", "--data-dir", data);
        var delete = await CliRunner.RunAsync("campaigns", "delete", "spring", "--data-dir", data);
        var after = await CliRunner.RunAsync("campaigns", "list", "--data-dir", data);

        Assert.Equal(0, create.Code);
        Assert.NotEqual(0, again.Code);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.Contains("spring", list.Output, StringComparison.Ordinal);
        Assert.Contains("\"placement\":\"home_banner\"", show.Output, StringComparison.Ordinal);
        Assert.Equal(0, delete.Code);
        Assert.Contains("No campaigns", after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_campaign_file_is_refused_with_the_field_and_the_template_position()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "bad.json");
        await File.WriteAllTextAsync(file, """
            { "id": "bad", "placement": "p", "variants": [ { "id": "a", "template": "ok" }, { "id": "b", "template": "{{#if user.x}}" } ] }
            """);
        var broken = Path.Combine(dir.Path, "broken.json");
        await File.WriteAllTextAsync(broken, "{\n  \"id\": \"x\",\n  \"placement\": \n}");

        var invalid = await CliRunner.RunAsync("campaigns", "create", file, "--data-dir", dir.Path);
        var unparsable = await CliRunner.RunAsync("campaigns", "create", broken, "--data-dir", dir.Path);

        Assert.NotEqual(0, invalid.Code);
        Assert.Contains("variants[1].template: line 1, column 1", invalid.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, unparsable.Code);
        Assert.Contains("line 4", unparsable.Error, StringComparison.Ordinal);
    }
}
