using Attune.Datasets;
using Attune.Evaluation;
using Attune.Evaluation.Data;

namespace Attune.Cli.Evaluation;

/// <summary>Turns expected failures (bad options, missing files) into one clear line on stderr and exit code 2.</summary>
internal static class CommandErrors
{
    public const int BadInput = 2;

    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (EvaluationException e)
        {
            return Fail(e.Message);
        }
        catch (DatasetException e)
        {
            return Fail(e.Message);
        }
        catch (ArgumentException e)
        {
            // Model option records validate their values with ArgumentException.
            return Fail(e.Message);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return 130;
        }
    }

    public static void WarnAboutRejections(LoadSummary? load)
    {
        if (load is null || load.Rejected == 0)
        {
            return;
        }

        Console.Error.WriteLine($"warning: {load.Rejected} rows were skipped while reading, e.g.:");
        foreach (var r in load.FirstRejections)
        {
            Console.Error.WriteLine($"  {r}");
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return BadInput;
    }
}

/// <summary>Reports progress lines at once, on the calling thread (Progress&lt;T&gt; would post them later).</summary>
internal sealed class SyncProgress(TextWriter writer) : IProgress<string>
{
    public void Report(string value) => writer.WriteLine(value);
}
