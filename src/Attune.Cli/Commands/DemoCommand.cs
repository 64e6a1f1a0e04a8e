using System.CommandLine;
using Attune.Cli.Importing;
using Attune.Datasets.Synthetic;
using Attune.Engine.Import;
using Attune.Engine.Models;
using Attune.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Attune.Cli.Commands;

/// <summary>
/// <c>attune demo</c>: starts the server on a fresh store filled with a generated shop, and prints requests to try.
/// </summary>
internal sealed class DemoCommand : ICliCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public int Order => 5;

    public Command Create()
    {
        var command = new Command(
            "demo",
            "Start the server on a fresh embedded store loaded with a generated shop (catalog, users, view/cart/purchase sessions) " +
            "and print requests to try. The data goes to a new temporary folder unless --data-dir names an empty or missing one.");
        var urls = CommonOptions.Urls($"Where to listen (default {DefaultUrls}).");
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Folder for the demo store; must be empty or missing (default: a new folder under the system temp folder, printed at start).",
            HelpName = "DIR",
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated shop; the same seed gives the same shop.", DefaultValueFactory = _ => SyntheticShopOptions.Demo.Seed };
        var users = new Option<int>("--users") { Description = "Users in the generated shop.", DefaultValueFactory = _ => SyntheticShopOptions.Demo.Users };
        var items = new Option<int>("--items") { Description = "Items in the generated shop.", DefaultValueFactory = _ => SyntheticShopOptions.Demo.Items };
        var events = new Option<int>("--events") { Description = "Events in the generated shop.", DefaultValueFactory = _ => SyntheticShopOptions.Demo.Events };
        command.Options.Add(urls);
        command.Options.Add(dataDir);
        command.Options.Add(seed);
        command.Options.Add(users);
        command.Options.Add(items);
        command.Options.Add(events);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
            var shopOptions = SyntheticShopOptions.Demo with
            {
                Seed = parseResult.GetValue(seed),
                Users = parseResult.GetValue(users),
                Items = parseResult.GetValue(items),
                Events = parseResult.GetValue(events),
                Start = today.AddDays(-SyntheticShopOptions.Demo.Days),
            };
            try
            {
                shopOptions.Validate();
            }
            catch (ArgumentException ex)
            {
                return env.Fail(ex.Message, ExitCodes.Usage);
            }

            var dir = parseResult.GetValue(dataDir) is { } d
                ? Path.GetFullPath(d)
                : Path.Combine(Path.GetTempPath(), "attune-demo-" + Guid.NewGuid().ToString("N")[..8]);
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            {
                return env.Fail($"the demo needs a fresh store, but '{dir}' is not empty. Name an empty folder with --data-dir, or leave it out for a temporary one.", ExitCodes.Usage);
            }

            var listen = parseResult.GetValue(urls) ?? DefaultUrls;
            env.Output.WriteLine($"Demo store: {dir}");
            env.Output.WriteLine($"Generating {shopOptions}");
            var settings = new AttuneHostSettings
            {
                DataDir = dir,
                Urls = listen,
                OnStoreOpened = async (store, services, ct) =>
                {
                    var shop = SyntheticShop.Generate(shopOptions);
                    await ImportRunner.RunAsync(env, "Loading the demo shop", shop.Records(), new StoreImportSink(store), ImportOptions.Default, ct);

                    // Trained before the server listens, so recommendations are served from the first request.
                    env.Output.WriteLine("Training the first model");
                    var run = await ModelsCommand.RunWithProgressAsync(env, services.GetRequiredService<ModelTrainingService>(), new TrainingRequest("demo"), ct);
                    ModelsCommand.Report(env, run);
                },
            };
            try
            {
                await using var app = AttuneServer.Build([], settings);
                await app.StartAsync(cancellationToken);
                PrintExamples(env, listen.Split(';')[0].TrimEnd('/'));
                await app.WaitForShutdownAsync(cancellationToken);
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
            catch (InvalidOperationException ex)
            {
                return env.Fail(ex.Message);
            }
            catch (IOException ex)
            {
                return env.Fail(ex.Message);
            }
        });
        return command;
    }

    private static void PrintExamples(CliEnvironment env, string url)
    {
        var o = env.Output;
        o.WriteLine();
        o.WriteLine($"Attune demo is running on {url} (Ctrl+C to stop). Try:");
        o.WriteLine($"  curl {url}/v1/stats");
        o.WriteLine($"  curl {url}/v1/items/{SyntheticShop.ItemId(0)}");
        o.WriteLine($"  curl {url}/v1/users/{SyntheticShop.UserId(0)}");
        o.WriteLine($"  curl -X POST {url}/v1/events -H 'Content-Type: application/json' \\");
        o.WriteLine($"       -d '{{\"userId\":\"{SyntheticShop.UserId(0)}\",\"itemId\":\"{SyntheticShop.ItemId(1)}\",\"type\":\"view\"}}'");
        o.WriteLine($"  curl {url}/v1/models");
        o.WriteLine($"  attune stats --server {url}");
        o.WriteLine($"OpenAPI description: {url}/openapi/v1.json");
    }
}
