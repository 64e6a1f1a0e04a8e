using System.CommandLine;
using Attune.Datasets;
using Attune.Evaluation;
using Attune.Evaluation.Data;

namespace Attune.Cli.Evaluation;

/// <summary>Turns expected failures (bad options, missing files, unknown models) into one clear line on stderr and the usage exit code.</summary>
internal static class CommandErrors
{
    public static async Task<int> RunAsync(ParseResult parse, Func<CliEnvironment, Task<int>> body)
    {
        var env = CliEnvironment.From(parse);
        try
        {
            return await body(env);
        }
        catch (EvaluationException e)
        {
            return env.Fail(e.Message, ExitCodes.Usage);
        }
        catch (DatasetException e)
        {
            return env.Fail(e.Message, ExitCodes.Usage);
        }
        catch (ArgumentException e)
        {
            // Model option records validate their values with ArgumentException.
            return env.Fail(e.Message, ExitCodes.Usage);
        }
        catch (OperationCanceledException)
        {
            await env.Error.WriteLineAsync("cancelled");
            return 130;
        }
    }

    public static void WarnAboutRejections(TextWriter error, LoadSummary? load)
    {
        if (load is null || load.Rejected == 0)
        {
            return;
        }

        error.WriteLine($"warning: {load.Rejected} rows were skipped while reading, e.g.:");
        foreach (var r in load.FirstRejections)
        {
            error.WriteLine($"  {r}");
        }
    }
}

/// <summary>Reports progress lines at once, on the calling thread (Progress&lt;T&gt; would post them later).</summary>
internal sealed class SyncProgress(TextWriter writer) : IProgress<string>
{
    public void Report(string value) => writer.WriteLine(value);
}
