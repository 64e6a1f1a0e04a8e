using System.CommandLine;
using Attune.Cli.Evaluation;
using Attune.Evaluation;
using Attune.Evaluation.Reports;
using Attune.Evaluation.Running;

namespace Attune.Cli.Commands;

/// <summary><c>attune evaluate</c>: offline top-N evaluation of one or more models on a dataset or a store.</summary>
internal sealed class EvaluateCommand : ICliCommand
{
    public int Order => 60;

    public Command Create()
    {
        var arguments = new EvaluationArguments();
        var models = new Option<string>("--models")
        {
            Description = "Models to compare, e.g. ease,als:factors=64,item-knn or \"hybrid:components=(sequence; ease),weights=(0.7; 0.3)\".",
            Required = true,
        };
        var ks = new Option<string>("--k") { Description = "Cut-offs, e.g. 10,20.", DefaultValueFactory = _ => "10" };
        var output = new Option<string?>("--out") { Description = "Folder for report.json, report.md and ndcg-at-K.svg." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout (progress goes to stderr)." };
        var command = new Command("evaluate", "Fit models on a training split and measure top-N quality (NDCG, precision, recall, HR, MAP, MRR, coverage, novelty, popularity, diversity).");
        arguments.AddTo(command);
        command.Options.Add(models);
        command.Options.Add(ks);
        command.Options.Add(output);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse, async env =>
        {
            var specs = EvaluationArguments.ParseModels(parse.GetValue(models)!);
            var cutoffs = EvaluationArguments.ParseKs(parse.GetValue(ks)!);
            foreach (var spec in specs)
            {
                ModelEvaluator.ParseSpec(spec);
            }

            var prepared = await arguments.PrepareAsync(parse, cancellationToken);
            CommandErrors.WarnAboutRejections(env.Error, prepared.Load);
            var report = ModelEvaluator.Evaluate(prepared.Dataset, prepared.Split, prepared.Protocol, specs, cutoffs, new SyncProgress(env.Error), cancellationToken);
            if (parse.GetValue(output) is { } folder)
            {
                foreach (var file in ReportFiles.Write(report, folder))
                {
                    env.Error.WriteLine($"wrote {file}");
                }
            }

            if (parse.GetValue(json))
            {
                env.Output.WriteLine(ReportJson.Serialize(report));
            }
            else
            {
                ReportConsole.Write(env.Console, report);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
