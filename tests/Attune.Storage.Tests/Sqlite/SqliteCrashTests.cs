using System.Diagnostics;
using Attune.Storage.Sqlite;
using Attune.TestSupport;

namespace Attune.Storage.Tests.Sqlite;

public sealed class SqliteCrashTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_acknowledged_event_survives_kill_9_of_the_writing_process()
    {
        var dataDir = Path.Combine(_dir.Path, "data");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CrashWriter).Assembly.Location);
        start.ArgumentList.Add(CrashWriter.Command);
        start.ArgumentList.Add(dataDir);
        var acknowledged = new List<string>();

        using (var child = Process.Start(start)!)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (acknowledged.Count < 300)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException("The writer exited early: " + await child.StandardError.ReadToEndAsync());
                acknowledged.Add(line);
            }

            child.Kill(); // SIGKILL: no disposal, no flush, no checkpoint.
            await child.WaitForExitAsync(timeout.Token);

            // Lines already in the pipe were printed after their append completed: they count as acknowledged too.
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                acknowledged.Add(line);
            }
        }

        await using var store = await SqliteStore.OpenAsync(dataDir);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in store.Events.ReadUserAsync("crash-user"))
        {
            stored.Add(e.Id!);
        }

        var lost = acknowledged.Except(stored).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged events were lost, e.g. {string.Join(", ", lost.Take(5))}");
        Assert.True(stored.Count >= acknowledged.Count);
        Assert.Equal(stored.Count, (await store.Events.GetStatsAsync()).Events);
    }
}
