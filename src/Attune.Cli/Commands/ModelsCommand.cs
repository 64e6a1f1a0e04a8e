using System.CommandLine;
using System.Globalization;
using Attune.Cli.Importing;
using Attune.Engine.Models;
using Attune.Engine.Options;
using Attune.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace Attune.Cli.Commands;

/// <summary>
/// <c>attune models list|train|activate</c>: the model registry of a data folder, worked on directly (stop the server
/// first, or use the <c>/v1/models</c> endpoints of a running one: a server only reads the active version at start).
/// </summary>
internal sealed class ModelsCommand : ICliCommand
{
    public int Order => 40;

    public Command Create()
    {
        var command = new Command("models", "List, train and activate model versions in a data folder (DATA/models).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Activate());
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the stored model versions, the active one, and the recent training and promotion history.");
        var dataDir = CommonOptions.DataDir();
        command.Options.Add(dataDir);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            var store = new ModelStore(env.DataDir(parseResult.GetValue(dataDir)));
            var active = store.ReadActive()?.Version;
            var versions = store.Versions();
            if (versions.Count == 0)
            {
                env.Output.WriteLine($"No model versions in {store.Root}. Train one with: attune models train --data-dir DIR");
                return Task.FromResult(ExitCodes.Ok);
            }

            var decisions = store.ReadHistory(1000).Where(h => h.Decision is not null).GroupBy(h => h.Version ?? string.Empty).ToDictionary(g => g.Key, g => g.Last().Decision!);
            var rows = versions.Select(v => Row(store, v, active, decisions)).ToList();
            if (env.Interactive)
            {
                var table = new Table().AddColumns("Version", "Active", "Algorithm", "Events", "Holdout", "Created", "Promotion");
                foreach (var row in rows)
                {
                    table.AddRow([.. row.Select(Markup.Escape)]);
                }

                env.Console.Write(table);
            }
            else
            {
                // Plain tab-separated lines for scripts and narrow logs.
                env.Output.WriteLine("version\tactive\talgorithm\tevents\tholdout\tcreated\tpromotion");
                foreach (var row in rows)
                {
                    env.Output.WriteLine(string.Join('\t', row));
                }
            }

            var history = store.ReadHistory(10);
            if (history.Count > 0)
            {
                env.Output.WriteLine("Recent history:");
                foreach (var h in history)
                {
                    env.Output.WriteLine($"  {h.At:u} {h.Kind,-9} {h.Version ?? "-"} {h.Message}");
                }
            }

            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static string[] Row(ModelStore store, string version, string? active, Dictionary<string, PromotionDecision> decisions)
    {
        var isActive = version == active ? "yes" : "no";
        var promotion = decisions.TryGetValue(version, out var d) ? (d.Promoted ? "promoted" : "rejected") : "-";
        try
        {
            var info = store.ReadManifest(version).Info;
            var metrics = string.Join(" ", info.OfflineMetrics.Where(m => m.Key.Contains('@', StringComparison.Ordinal)).Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key}={m.Value:F4}")));
            return [version, isActive, info.Algorithm, info.Events.ToString(CultureInfo.InvariantCulture), metrics.Length > 0 ? metrics : "-", info.CreatedAt.ToString("u", CultureInfo.InvariantCulture), promotion];
        }
        catch (ModelArtifactException ex)
        {
            return [version, isActive, "unreadable", "-", "-", "-", ex.Message];
        }
    }

    private static Command Train()
    {
        var command = new Command("train", "Train a new model version from the events in the store, compare it with the active one, and promote it when it is not worse.");
        var dataDir = CommonOptions.DataDir();
        var algorithm = new Option<string?>("--algorithm")
        {
            Description = "Main algorithm spec instead of Attune:Models:Algorithm, e.g. 'als:factors=32' or 'ease:lambda=200'.",
            HelpName = "SPEC",
        };
        command.Options.Add(dataDir);
        command.Options.Add(algorithm);
        command.Validators.Add(r =>
        {
            if (r.GetValue(algorithm) is { } spec && ModelsOptions.SpecError(spec) is { } error)
            {
                r.AddError($"--algorithm: {error}");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            var dir = env.DataDir(parseResult.GetValue(dataDir));
            if (!Directory.Exists(dir))
            {
                return env.Fail($"data folder '{dir}' does not exist (import events first, or pass --data-dir).");
            }

            var options = Options(env, out var problem);
            if (options is null)
            {
                return env.Fail(problem!, ExitCodes.Usage);
            }

            try
            {
                await using var store = await StoreSession.OpenAsync(env, dir, cancellationToken);
                var service = Service(dir, options, store);
                await service.Registry.LoadActiveAsync(cancellationToken);
                var request = new TrainingRequest("cli", parseResult.GetValue(algorithm));
                var run = await RunWithProgressAsync(env, service, request, cancellationToken);
                return Report(env, run);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Cancelled;
            }
            catch (InvalidOperationException ex)
            {
                return env.Fail(ex.Message);
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                return env.Fail($"the store failed: {ex.Message}");
            }
        });
        return command;
    }

    private static Command Activate()
    {
        var command = new Command("activate", "Make a stored version the active one (roll back or forward); it is verified first.");
        var dataDir = CommonOptions.DataDir();
        var version = new Argument<string>("version") { Description = "The version to activate, as listed by 'attune models list'." };
        command.Options.Add(dataDir);
        command.Arguments.Add(version);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            var options = Options(env, out var problem);
            if (options is null)
            {
                return env.Fail(problem!, ExitCodes.Usage);
            }

            var registry = new ModelRegistry(new ModelStore(env.DataDir(parseResult.GetValue(dataDir))), new ActiveModel(), options, NullLogger<ModelRegistry>.Instance);
            try
            {
                var model = await registry.ActivateAsync(parseResult.GetValue(version)!, "requested with attune models activate", cancellationToken);
                env.Output.WriteLine($"Active model version: {model.Version} ({model.Info.Algorithm}). A running server picks it up at its next start, or at once with POST /v1/models/{model.Version}/activate.");
                return ExitCodes.Ok;
            }
            catch (ModelArtifactException ex)
            {
                return env.Fail(ex.Message + " The active version is unchanged.", ex.NotFound ? ExitCodes.Usage : ExitCodes.Error);
            }
        });
        return command;
    }

    private static ModelsOptions? Options(CliEnvironment env, out string? problem)
    {
        var options = env.Configuration.GetSection(AttuneOptions.SectionName).Get<AttuneOptions>() ?? new AttuneOptions();
        var errors = options.Validate();
        problem = errors.Count > 0 ? "invalid configuration: " + string.Join(" ", errors) : null;
        return errors.Count > 0 ? null : options.Models;
    }

    private static ModelTrainingService Service(string dir, ModelsOptions options, IAttuneStore store)
    {
        var all = new AttuneOptions { Models = options };
        var trainer = new ModelTrainer(options, all.CreateEventTypeRegistry());
        var registry = new ModelRegistry(new ModelStore(dir), new ActiveModel(), options, NullLogger<ModelRegistry>.Instance);
        return new ModelTrainingService(registry, trainer, new HoldoutEvaluator(trainer), () => store, NullLogger<ModelTrainingService>.Instance);
    }

    /// <summary>Trains now with live progress (a Spectre bar on a terminal, plain lines otherwise).</summary>
    internal static async Task<TrainingRunInfo> RunWithProgressAsync(CliEnvironment env, ModelTrainingService service, TrainingRequest request, CancellationToken cancellationToken)
    {
        if (!env.Interactive)
        {
            string? last = null;
            TrainingRun? current = null;
            using var timer = new Timer(_ =>
            {
                if (current?.Info is { Stage: { } stage } info && stage != last)
                {
                    last = stage;
                    env.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {info.Progress * 100,5:F1}% {stage}"));
                }
            });
            var result = await service.TrainNowAsync(request, run =>
            {
                current = run;
                timer.Change(0, 500);
            }, cancellationToken);
            await timer.DisposeAsync();
            return result;
        }

        return await env.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                TrainingRun? current = null;
                var training = service.TrainNowAsync(request, run => current = run, cancellationToken);
                while (!training.IsCompleted)
                {
                    if (current?.Info is { } info)
                    {
                        task.Description = Markup.Escape(info.Stage ?? info.Status);
                        task.Value = info.Progress;
                    }

                    await Task.WhenAny(training, Task.Delay(200, cancellationToken));
                }

                var done = await training;
                task.Description = Markup.Escape(done.Status);
                task.Value = task.MaxValue;
                task.StopTask();
                return done;
            });
    }

    internal static int Report(CliEnvironment env, TrainingRunInfo run)
    {
        var o = env.Output;
        foreach (var note in run.Notes)
        {
            o.WriteLine($"note: {note}");
        }

        switch (run.Status)
        {
            case TrainingStatus.Promoted or TrainingStatus.Rejected:
                o.WriteLine($"Trained version {run.Version} ({run.Algorithm}).");
                if (run.Decision is { } d)
                {
                    o.WriteLine((d.Promoted ? "Promoted: " : "Not promoted: ") + d.Reason);
                }

                return ExitCodes.Ok;
            case TrainingStatus.Skipped:
                o.WriteLine(run.Error);
                return ExitCodes.Ok;
            default:
                return env.Fail($"training {run.Status}: {run.Error}");
        }
    }
}
