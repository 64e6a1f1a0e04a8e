using System.CommandLine;
using Attune.Engine.Options;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Attune.Cli;

/// <summary>What every command needs: configuration, where to write, and whether the output is a live terminal.</summary>
internal sealed class CliEnvironment
{
    private CliEnvironment(IConfiguration configuration, TextWriter output, TextWriter error, bool interactive)
    {
        Configuration = configuration;
        Output = output;
        Error = error;
        Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
    }

    /// <summary>appsettings.json of the working folder, then ATTUNE__* environment variables (flags override both).</summary>
    public IConfiguration Configuration { get; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>True on a terminal outside CI: live progress bars; otherwise plain lines.</summary>
    public bool Interactive { get; }

    public IAnsiConsole Console { get; }

    public static CliEnvironment From(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var interactive = ReferenceEquals(output, System.Console.Out)
            && !System.Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        return new CliEnvironment(configuration, output, error, interactive);
    }

    /// <summary>The data folder: the flag, else <c>Attune:DataDir</c> from configuration, else <c>./attune-data</c>.</summary>
    public string DataDir(string? flag) =>
        Path.GetFullPath(flag ?? Configuration[$"{AttuneOptions.SectionName}:DataDir"] ?? new AttuneOptions().DataDir);

    /// <summary>The store's durability setting from configuration (<c>Attune:Storage:Synchronous</c>).</summary>
    public string Synchronous => Configuration[$"{AttuneOptions.SectionName}:Storage:Synchronous"] ?? new StorageOptions().Synchronous;

    public int Fail(string message, int code = ExitCodes.Error)
    {
        Error.WriteLine($"error: {message}");
        return code;
    }
}
