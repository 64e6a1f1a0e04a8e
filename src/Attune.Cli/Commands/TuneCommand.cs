using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attune.Cli.Evaluation;
using Attune.Evaluation;
using Attune.Evaluation.Tuning;
using Spectre.Console;

namespace Attune.Cli.Commands;

/// <summary><c>attune tune</c>: random search over one algorithm's hyper-parameters on a validation split.</summary>
internal sealed class TuneCommand : ICliCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public int Order => 61;

    public Command Create()
    {
        var arguments = new EvaluationArguments();
        var model = new Option<string>("--model") { Description = "The algorithm to tune, optionally with fixed options (als:iterations=10).", Required = true };
        var budget = new Option<string>("--budget") { Description = "Time for trials: 60s, 5m, 1h or seconds.", DefaultValueFactory = _ => "60s" };
        var metric = new Option<string>("--metric") { Description = "What to maximise on the validation split.", DefaultValueFactory = _ => "ndcg@10" };
        var maxTrials = new Option<int?>("--max-trials") { Description = "Stop after this many trials even within the budget." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };
        var grid = new Option<string?>("--grid") { Description = "Replace the default search space and try only its points: \"lambda=200|500;dropout=0.3|0.5\" or \"components=(ease; als)|(ease; bpr)\"." };
        var folds = new Option<int>("--folds") { Description = "Validation splits per trial (training part re-split with seeds seed+1, seed+2, ...); a trial scores their mean.", DefaultValueFactory = _ => 1 };
        var command = new Command("tune", "Search an algorithm's hyper-parameters on a validation split carved from the training part, then score the best on the test part.");
        arguments.AddTo(command);
        command.Options.Add(model);
        command.Options.Add(budget);
        command.Options.Add(metric);
        command.Options.Add(maxTrials);
        command.Options.Add(json);
        command.Options.Add(grid);
        command.Options.Add(folds);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse, async env =>
        {
            var options = new TuneOptions(parse.GetValue(model)!, ParseBudget(parse.GetValue(budget)!), parse.GetValue(metric)!, parse.GetValue(arguments.Seed), parse.GetValue(maxTrials), parse.GetValue(grid), parse.GetValue(folds));
            if (options.Folds < 1)
            {
                throw new EvaluationException($"--folds must be at least 1; got {options.Folds}.");
            }

            Attune.Evaluation.Metrics.MetricNames.Parse(options.Metric);
            Attune.Evaluation.Running.ModelEvaluator.ParseSpec(options.Model);
            var prepared = await arguments.PrepareAsync(parse, cancellationToken);
            CommandErrors.WarnAboutRejections(env.Error, prepared.Load);
            var splitOptions = arguments.SplitOptions(parse);
            var trials = new TrialPrinter(env.Error, options.Metric);
            var result = Tuner.Tune(prepared.Split, splitOptions, options, trials, cancellationToken);
            if (parse.GetValue(json))
            {
                env.Output.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        dataset = prepared.Dataset,
                        protocol = prepared.Protocol,
                        algorithm = result.Algorithm,
                        metric = result.Metric,
                        space = result.Space.ToString(),
                        best = result.Best.Spec,
                        bestOptions = result.Test.Options,
                        folds = options.Folds,
                        validation = result.Best.Validation,
                        validationSpread = result.Best.Spread,
                        test = result.Test.Metrics[result.Metric],
                        trials = result.Trials,
                        elapsedSeconds = result.ElapsedSeconds,
                    },
                    Json));
                return ExitCodes.Ok;
            }

            env.Console.MarkupLine(Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Trials.Count} trials in {result.ElapsedSeconds:F1} s over {result.Space}")));
            env.Console.MarkupLine(Markup.Escape($"best: {result.Best.Spec}"));
            env.Console.MarkupLine(Markup.Escape($"options: {result.Test.Options}"));
            env.Console.MarkupLine(Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Metric}: validation {result.Best.Validation:F4}{SpreadText(result.Best)}, test {result.Test.Metrics[result.Metric]:F4} (defaults on validation: {result.Trials[0].Validation:F4})")));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>"60s", "5m", "1h", "90" (seconds) or a TimeSpan ("00:01:30").</summary>
    public static TimeSpan ParseBudget(string text)
    {
        var t = text.Trim();
        if (t.Length > 1 && char.IsLetter(t[^1]) && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            return char.ToLowerInvariant(t[^1]) switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                _ => throw new EvaluationException($"--budget unit must be s, m or h; got '{text}'."),
            };
        }

        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        throw new EvaluationException($"--budget must be a positive duration like 60s, 5m or 1h; got '{text}'.");
    }

    private static string SpreadText(Trial trial) =>
        trial.FoldScores is { Count: > 1 } ? string.Create(CultureInfo.InvariantCulture, $" +- {trial.Spread:F4} over {trial.FoldScores.Count} folds") : "";

    private sealed class TrialPrinter(TextWriter error, string metric) : IProgress<Trial>
    {
        private int _count;

        public void Report(Trial value) =>
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trial {++_count}: {metric} {value.Validation:F4}{SpreadText(value)} fit {value.FitSeconds:F1}s  {value.Spec}"));
    }
}
