using System.CommandLine;
using System.Reflection;

namespace Attune.Cli.Commands;

internal sealed class VersionCommand : ICliCommand
{
    public int Order => 1000;

    public Command Create()
    {
        var command = new Command("version", "Print the Attune version.");
        command.SetAction(_ =>
        {
            var v = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
            Console.WriteLine($"attune {v}");
            return 0;
        });
        return command;
    }
}
