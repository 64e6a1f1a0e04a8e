using Attune.Storage.Tests.Sqlite;

namespace Attune.Storage.Tests;

/// <summary>Test runners load this assembly as a library; started as a program it plays a process to be killed.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [CrashWriter.Command, var dataDirectory])
        {
            await CrashWriter.RunAsync(dataDirectory);
            return 0;
        }

        await Console.Error.WriteLineAsync($"usage: {CrashWriter.Command} <data directory>");
        return 2;
    }
}
