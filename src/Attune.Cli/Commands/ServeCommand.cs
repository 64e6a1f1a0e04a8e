using System.CommandLine;
using Attune.Server;
using Microsoft.Extensions.Hosting;

namespace Attune.Cli.Commands;

/// <summary><c>attune serve</c>: runs the HTTP API on the embedded store until stopped (Ctrl+C).</summary>
internal sealed class ServeCommand : ICliCommand
{
    public int Order => 10;

    public Command Create()
    {
        var command = new Command(
            "serve",
            "Run the Attune HTTP API on the embedded store until stopped (Ctrl+C). Configuration comes from appsettings.json, " +
            "ATTUNE__* environment variables and --Attune:Section:Key=value arguments; the flags below override them.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var dataDir = CommonOptions.DataDir();
        var urls = CommonOptions.Urls("Where to listen (default: urls from configuration, else http://localhost:5000). Beyond loopback, API keys are required.");
        command.Options.Add(dataDir);
        command.Options.Add(urls);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            var settings = new AttuneHostSettings
            {
                DataDir = parseResult.GetValue(dataDir) is { } d ? Path.GetFullPath(d) : null,
                Urls = parseResult.GetValue(urls),
            };
            try
            {
                await using var app = AttuneServer.Build([.. parseResult.UnmatchedTokens], settings);
                await app.RunAsync(cancellationToken);
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
            catch (Microsoft.Extensions.Options.OptionsValidationException ex)
            {
                return env.Fail(ex.Message, ExitCodes.Usage);
            }
            catch (IOException ex)
            {
                return env.Fail(ex.Message);
            }
        });
        return command;
    }
}
