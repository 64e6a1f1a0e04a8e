using System.CommandLine;
using System.Globalization;
using Attune.Cli.Importing;
using Attune.Engine.Options;
using Attune.Engine.Prediction;
using Spectre.Console;

namespace Attune.Cli.Commands;

/// <summary><c>attune predict train|evaluate|score</c>: behaviour predictors over the embedded store.</summary>
internal sealed class PredictCommand : ICliCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public int Order => 60;

    public Command Create()
    {
        var command = new Command("predict", "Behaviour prediction: purchase within N days, churn (no activity in N days), item-level purchase propensity.");
        command.Subcommands.Add(Sub("train", "Train and evaluate a new predictor version on a temporal split and store it in the data folder.", Mode.Train));
        command.Subcommands.Add(Sub("evaluate", "Run the temporal evaluation and print the full report (AUC with its 95% interval, log-loss, calibration, lift, importance); stores nothing.", Mode.Evaluate));
        command.Subcommands.Add(Sub("score", "Score every user with the latest trained predictor (the server also writes the scores to profiles).", Mode.Score));
        return command;
    }

    private enum Mode
    {
        Train,
        Evaluate,
        Score,
    }

    private static Command Sub(string name, string description, Mode mode)
    {
        var command = new Command(name, description);
        var task = new Option<string>("--task") { Description = "purchase, churn or propensity.", Required = true, HelpName = "TASK" };
        var days = new Option<int>("--days") { Description = "Horizon N in days (default 7).", DefaultValueFactory = _ => 7, HelpName = "N" };
        var dataDir = CommonOptions.DataDir();
        var offset = new Option<int?>("--utc-offset") { Description = "Days start at midnight at this UTC offset in hours (default Attune:Prediction:UtcOffsetHours, else 0; 8 for China time).", HelpName = "HOURS" };
        var cutoffs = new Option<int?>("--training-cutoffs") { Description = "Daily training cutoffs stacked before the test cutoff (default 6).", HelpName = "K" };
        var top = new Option<int>("--top") { Description = "Highest scores to print (score).", DefaultValueFactory = _ => 10, HelpName = "K" };
        var output = new Option<string?>("--output") { Description = "Write every score as CSV (user,item,score) to this file (score).", HelpName = "FILE" };
        command.Options.Add(task);
        command.Options.Add(days);
        command.Options.Add(dataDir);
        command.Options.Add(offset);
        command.Options.Add(cutoffs);
        if (mode == Mode.Score)
        {
            command.Options.Add(top);
            command.Options.Add(output);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            if (PredictionTask.TryCreate(parseResult.GetValue(task), parseResult.GetValue(days), out var parsed) is { } bad)
            {
                return env.Fail("--" + bad);
            }

            var configured = int.TryParse(env.Configuration[$"{AttuneOptions.SectionName}:Prediction:UtcOffsetHours"], NumberStyles.AllowLeadingSign, Inv, out var o) ? o : 0;
            var options = new PredictionOptions
            {
                UtcOffsetHours = parseResult.GetValue(offset) ?? configured,
                TrainingCutoffs = parseResult.GetValue(cutoffs) ?? new PredictionOptions().TrainingCutoffs,
            };
            var errors = new List<string>();
            options.Validate(errors);
            if (errors.Count > 0)
            {
                return env.Fail(errors[0].Replace("Attune:Prediction:UtcOffsetHours", "--utc-offset", StringComparison.Ordinal)
                    .Replace("Attune:Prediction:TrainingCutoffs", "--training-cutoffs", StringComparison.Ordinal));
            }

            var dir = env.DataDir(parseResult.GetValue(dataDir));
            if (!Directory.Exists(dir))
            {
                return env.Fail($"data folder '{dir}' does not exist (import something first, or pass --data-dir).");
            }

            try
            {
                await using var store = await StoreSession.OpenAsync(env, dir, cancellationToken);
                var service = new PredictionService(() => store, new PredictorRepository(dir), options, null, TimeProvider.System);
                switch (mode)
                {
                    case Mode.Train:
                        var trained = await service.TrainAsync(parsed, cancellationToken);
                        Print(env, trained, full: false);
                        env.Console.MarkupLine(Markup.Escape($"stored {trained.ModelVersion} in {Path.Combine(dir, "predictors", parsed.ScoreName)}"));
                        break;
                    case Mode.Evaluate:
                        Print(env, await service.EvaluateAsync(parsed, cancellationToken), full: true);
                        break;
                    default:
                        await ScoreAsync(env, service, parsed, parseResult.GetValue(top), parseResult.GetValue(output), cancellationToken);
                        break;
                }

                return ExitCodes.Ok;
            }
            catch (PredictionException ex)
            {
                return env.Fail(ex.Message);
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

    private static async Task ScoreAsync(CliEnvironment env, PredictionService service, PredictionTask task, int top, string? output, CancellationToken cancellationToken)
    {
        var predictor = service.Repository.Latest(task) ?? throw new PredictionException($"No trained predictor for {task}: run 'attune predict train --task {task.Name} --days {task.HorizonDays}' first.");
        var run = await service.ScoreAsync(task, Math.Max(0, top), cancellationToken, all =>
        {
            if (output is null)
            {
                return;
            }

            var temp = output + ".tmp";
            using (var writer = new StreamWriter(temp))
            {
                writer.WriteLine("user,item,score");
                foreach (var s in all)
                {
                    writer.WriteLine(string.Create(Inv, $"{Csv(s.UserId)},{Csv(s.ItemId ?? string.Empty)},{s.Score:R}"));
                }
            }

            File.Move(temp, output, overwrite: true);
        });

        var table = new Table().Title(Markup.Escape($"{run.ModelVersion} ({predictor.Report.ActiveModel}): {run.Users:N0} users scored as of {run.Cutoff:u}"))
            .AddColumn("user").AddColumn("item").AddColumn(new TableColumn("score").RightAligned());
        foreach (var s in run.Top)
        {
            table.AddRow(Markup.Escape(s.UserId), Markup.Escape(s.ItemId ?? "-"), s.Score.ToString("F4", Inv));
        }

        env.Console.Write(table);
        if (output is not null)
        {
            env.Console.MarkupLine(Markup.Escape($"wrote {run.Users:N0} scores to {Path.GetFullPath(output)}"));
        }
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static void Print(CliEnvironment env, PredictorReport r, bool full)
    {
        var console = env.Console;
        console.MarkupLine(Markup.Escape(string.Create(Inv,
            $"{r.Task} within {r.HorizonDays} day(s): trained on {r.TrainingCutoffs.Count} daily cutoffs {r.TrainingCutoffs[0]:yyyy-MM-dd HH:mm}..{r.TrainingCutoffs[^1]:yyyy-MM-dd HH:mm} UTC " +
            $"({r.TrainRows:N0} rows, {r.TrainPositives:N0} positive); tested at {r.TestCutoff:yyyy-MM-dd HH:mm} UTC ({r.TestRows:N0} rows, {r.TestPositives:N0} positive).")));
        var models = new Table().Title("test scores").AddColumn("model").AddColumn(new TableColumn("AUC [[95% DeLong CI]]").RightAligned())
            .AddColumn(new TableColumn("log-loss").RightAligned()).AddColumn("scores");
        foreach (var m in r.Models)
        {
            models.AddRow(
                m.Model,
                Markup.Escape(string.Create(Inv, $"{m.Auc.Auc:F3} [{m.Auc.Lower:F3}, {m.Auc.Upper:F3}]")),
                m.LogLoss.ToString("F4", Inv),
                m.Model == r.ActiveModel ? "yes" : string.Empty);
        }

        console.Write(models);
        foreach (var m in r.Models)
        {
            console.MarkupLine(Markup.Escape($"{m.Model}: {m.Options}"));
        }

        if (!full)
        {
            return;
        }

        var active = r.Active;
        var lift = new Table().Title(Markup.Escape($"lift by decile ({active.Model}; 1 = highest scores)")).AddColumn("decile")
            .AddColumn(new TableColumn("rows").RightAligned()).AddColumn(new TableColumn("mean predicted").RightAligned())
            .AddColumn(new TableColumn("observed rate").RightAligned()).AddColumn(new TableColumn("lift").RightAligned());
        foreach (var g in active.Lift)
        {
            lift.AddRow(g.Group.ToString(Inv), g.Count.ToString(Inv), g.MeanPredicted.ToString("F3", Inv), g.ObservedRate.ToString("F3", Inv), g.Lift.ToString("F2", Inv));
        }

        console.Write(lift);
        var calibration = new Table().Title(Markup.Escape($"calibration ({active.Model}; deciles of predicted probability, lowest first)")).AddColumn("decile")
            .AddColumn(new TableColumn("rows").RightAligned()).AddColumn(new TableColumn("mean predicted").RightAligned())
            .AddColumn(new TableColumn("observed rate").RightAligned());
        foreach (var g in active.Calibration)
        {
            calibration.AddRow(g.Group.ToString(Inv), g.Count.ToString(Inv), g.MeanPredicted.ToString("F3", Inv), g.ObservedRate.ToString("F3", Inv));
        }

        console.Write(calibration);
        var importance = new Table().Title("feature importance (top 10)").AddColumn("gbdt: feature").AddColumn(new TableColumn("gain share").RightAligned())
            .AddColumn("logistic: feature").AddColumn(new TableColumn("std. coefficient").RightAligned());
        var gbdt = r.Models.First(m => m.Model == "gbdt").Importances;
        var logistic = r.Models.First(m => m.Model == "logistic").Importances;
        for (var i = 0; i < Math.Min(10, Math.Max(gbdt.Count, logistic.Count)); i++)
        {
            importance.AddRow(
                i < gbdt.Count ? gbdt[i].Feature : string.Empty,
                i < gbdt.Count ? gbdt[i].Importance.ToString("F3", Inv) : string.Empty,
                i < logistic.Count ? logistic[i].Feature : string.Empty,
                i < logistic.Count ? (logistic[i].Coefficient ?? 0).ToString("+0.000;-0.000", Inv) : string.Empty);
        }

        console.Write(importance);
    }
}
