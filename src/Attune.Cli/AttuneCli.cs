using System.CommandLine;

namespace Attune.Cli;

/// <summary>One top-level CLI command (serve, import, evaluate...). Found by reflection, so each lives in its own file.</summary>
public interface ICliCommand
{
    /// <summary>Orders commands in --help.</summary>
    int Order => 100;

    Command Create();
}

/// <summary>Builds the <c>attune</c> command tree.</summary>
public static class AttuneCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Attune: a self-hosted personalization engine. Collect behaviour, recommend, personalize, measure.");
        var commands = typeof(AttuneCli).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
            .OrderBy(c => c.Order)
            .ThenBy(c => c.GetType().Name, StringComparer.Ordinal);
        foreach (var c in commands)
        {
            root.Subcommands.Add(c.Create());
        }

        return root;
    }

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>
    /// Runs with output and errors sent to the given writers (tests, embedding), stopping when
    /// <paramref name="cancellationToken"/> fires. Invalid arguments print the problem and help and exit with 2.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parseResult = Build().Parse(args);
        var code = await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return parseResult.Errors.Count > 0 ? ExitCodes.Usage : code;
    }
}
