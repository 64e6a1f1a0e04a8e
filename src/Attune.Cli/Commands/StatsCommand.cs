using System.CommandLine;
using Attune.Cli.Importing;
using Attune.Client;
using Attune.Storage;
using Spectre.Console;

namespace Attune.Cli.Commands;

/// <summary><c>attune stats</c>: counts of events by type, users, items and the time span, from the store or a server.</summary>
internal sealed class StatsCommand : ICliCommand
{
    public int Order => 30;

    public Command Create()
    {
        var command = new Command("stats", "Show counts of events by type, users and items, from the embedded store (--data-dir) or a running server (--server).");
        var dataDir = CommonOptions.DataDir();
        var server = CommonOptions.Server();
        var apiKey = CommonOptions.ApiKey();
        command.Options.Add(dataDir);
        command.Options.Add(server);
        command.Options.Add(apiKey);
        command.Validators.Add(r =>
        {
            if (r.GetValue(server) is not null && r.GetValue(dataDir) is not null)
            {
                r.AddError("Give either --data-dir or --server, not both.");
            }

            if (CommonOptions.CheckServerUrl(r.GetValue(server)) is { } bad)
            {
                r.AddError(bad);
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            try
            {
                EventStats stats;
                string source;
                if (parseResult.GetValue(server) is { } url)
                {
                    using var client = new AttuneClient(new Uri(url), parseResult.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("ATTUNE_API_KEY"));
                    stats = await client.GetStatsAsync(cancellationToken);
                    source = url;
                }
                else
                {
                    var dir = env.DataDir(parseResult.GetValue(dataDir));
                    if (!Directory.Exists(dir))
                    {
                        return env.Fail($"data folder '{dir}' does not exist (import something first, or pass --data-dir).");
                    }

                    await using var store = await StoreSession.OpenAsync(env, dir, cancellationToken);
                    stats = await store.Events.GetStatsAsync(cancellationToken);
                    source = dir;
                }

                Print(env, source, stats);
                return ExitCodes.Ok;
            }
            catch (AttuneApiException ex)
            {
                return env.Fail($"the server answered {ex.StatusCode} {ex.Title}: {ex.Detail}");
            }
            catch (HttpRequestException ex)
            {
                return env.Fail($"cannot reach the server: {ex.Message}");
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                return env.Fail($"the store failed: {ex.Message}");
            }
        });
        return command;
    }

    private static void Print(CliEnvironment env, string source, EventStats s)
    {
        var table = new Table().Title(Markup.Escape($"Attune data in {source}")).AddColumn("what").AddColumn(new TableColumn("count").RightAligned());
        table.AddRow("events", s.Events.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("users", s.Users.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("items", s.Items.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (type, count) in s.EventsByType.OrderByDescending(kv => kv.Value))
        {
            table.AddRow(Markup.Escape($"  {type}"), count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }

        table.AddRow("first event", s.FirstEvent?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "-");
        table.AddRow("last event", s.LastEvent?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "-");
        env.Console.Write(table);
    }
}
