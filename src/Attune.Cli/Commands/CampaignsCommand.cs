using System.CommandLine;
using System.Text.Json;
using Attune.Engine.Campaigns;

namespace Attune.Cli.Commands;

/// <summary>
/// <c>attune campaigns list|create|show|delete</c> on a data folder's campaigns (<c>DATA/campaigns/campaigns.json</c>).
/// Edit campaigns while the server is stopped, or through <c>/v1/campaigns</c> while it runs: a running server
/// does not see changes made to the file under it.
/// </summary>
internal sealed class CampaignsCommand : ICliCommand
{
    public int Order => 60;

    public Command Create()
    {
        var command = new Command("campaigns", "List, create, show or delete campaigns in a data folder (stop the server first, or use /v1/campaigns).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Delete());
        return command;
    }

    private static Command List()
    {
        var dataDir = CommonOptions.DataDir();
        var command = new Command("list", "List every campaign: id, placement, channel, priority, status, variants, policy.") { dataDir };
        command.SetAction(parseResult =>
        {
            var env = CliEnvironment.From(parseResult);
            return Run(env, parseResult.GetValue(dataDir), repository =>
            {
                var all = repository.Current.All;
                if (all.Count == 0)
                {
                    env.Output.WriteLine("No campaigns.");
                    return ExitCodes.Ok;
                }

                env.Output.WriteLine($"{"id",-24} {"placement",-18} {"channel",-7} {"priority",8} {"status",-7} {"variants",8}  policy");
                foreach (var c in all)
                {
                    env.Output.WriteLine($"{c.Id,-24} {c.Placement,-18} {c.Channel,-7} {c.Priority,8} {(c.Active ? "active" : "paused"),-7} {c.Variants.Count,8}  {c.PolicySpec}");
                }

                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command CreateCommand()
    {
        var dataDir = CommonOptions.DataDir();
        var file = new Argument<FileInfo>("file") { Description = "A JSON file with one campaign (the body of POST /v1/campaigns)." };
        var replace = new Option<bool>("--replace") { Description = "Replace a campaign with the same id instead of refusing." };
        var command = new Command("create", "Create a campaign from a JSON file; every problem is reported with its field (and line and column for templates).")
        {
            file, dataDir, replace,
        };
        command.SetAction(parseResult =>
        {
            var env = CliEnvironment.From(parseResult);
            var path = parseResult.GetValue(file)!;
            if (!path.Exists)
            {
                return env.Fail($"'{path.FullName}' does not exist.");
            }

            CampaignDefinition? definition;
            try
            {
                using var stream = path.OpenRead();
                definition = JsonSerializer.Deserialize(stream, CampaignJsonContext.Default.CampaignDefinition);
            }
            catch (JsonException ex)
            {
                var where = ex.LineNumber is { } line ? $"line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "?";
                return env.Fail($"{path.Name}: {where}: {ex.Message.Split(" Path:")[0]}");
            }

            return Run(env, parseResult.GetValue(dataDir), repository =>
            {
                var result = repository.Save(definition!, mustBeNew: !parseResult.GetValue(replace));
                if (!result.IsValid)
                {
                    foreach (var error in result.Errors)
                    {
                        env.Error.WriteLine($"error: {path.Name}: {error.Key}: {error.Message}");
                    }

                    return ExitCodes.Error;
                }

                env.Output.WriteLine($"{(result.Created ? "Created" : "Replaced")} campaign '{result.Campaign!.Id}' ({result.Campaign.Variants.Count} variants, policy {result.Campaign.PolicySpec}).");
                return ExitCodes.Ok;
            }, create: true);
        });
        return command;
    }

    private static Command Show()
    {
        var dataDir = CommonOptions.DataDir();
        var id = new Argument<string>("id") { Description = "The campaign id." };
        var command = new Command("show", "Print a campaign as JSON, then its decisions and rewards per variant.") { id, dataDir };
        command.SetAction(parseResult =>
        {
            var env = CliEnvironment.From(parseResult);
            var dir = parseResult.GetValue(dataDir);
            return Run(env, dir, repository =>
            {
                if (repository.Current.Get(parseResult.GetValue(id)!) is not { } campaign)
                {
                    return env.Fail($"no campaign '{parseResult.GetValue(id)}'.");
                }

                env.Output.WriteLine(JsonSerializer.Serialize(campaign.Definition, CampaignJsonContext.Default.CampaignDefinition));
                var policies = new CampaignPolicies(Path.Combine(CampaignsFolder(env, dir), "policies"));
                var policy = policies.For(campaign);
                env.Output.WriteLine($"policy: {campaign.PolicySpec}");
                for (var i = 0; i < campaign.Variants.Count; i++)
                {
                    var decisions = policy.Decisions(i);
                    var rewards = policy.Rewards(i);
                    var rate = decisions > 0 ? (rewards / decisions).ToString("P2", System.Globalization.CultureInfo.InvariantCulture) : "-";
                    env.Output.WriteLine($"  {campaign.Variants[i].Id,-20} decisions {decisions,8}  rewards {rewards,8}  rate {rate}");
                }

                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Delete()
    {
        var dataDir = CommonOptions.DataDir();
        var id = new Argument<string>("id") { Description = "The campaign id." };
        var command = new Command("delete", "Delete a campaign (its learned policy state is deleted with it).") { id, dataDir };
        command.SetAction(parseResult =>
        {
            var env = CliEnvironment.From(parseResult);
            var dir = parseResult.GetValue(dataDir);
            return Run(env, dir, repository =>
            {
                var policies = new CampaignPolicies(Path.Combine(CampaignsFolder(env, dir), "policies"));
                repository.Changed += policies.Retain;
                if (!repository.Delete(parseResult.GetValue(id)!))
                {
                    return env.Fail($"no campaign '{parseResult.GetValue(id)}'.");
                }

                env.Output.WriteLine($"Deleted campaign '{parseResult.GetValue(id)}'.");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static string CampaignsFolder(CliEnvironment env, string? flag) => Path.Combine(env.DataDir(flag), "campaigns");

    private static int Run(CliEnvironment env, string? dataDirFlag, Func<CampaignRepository, int> action, bool create = false)
    {
        var dir = env.DataDir(dataDirFlag);
        if (!create && !Directory.Exists(dir))
        {
            return env.Fail($"data folder '{dir}' does not exist (pass --data-dir).");
        }

        try
        {
            return action(new CampaignRepository(Path.Combine(dir, "campaigns")));
        }
        catch (InvalidDataException ex)
        {
            return env.Fail(ex.Message);
        }
        catch (IOException ex)
        {
            return env.Fail($"cannot use '{dir}': {ex.Message}");
        }
    }
}
