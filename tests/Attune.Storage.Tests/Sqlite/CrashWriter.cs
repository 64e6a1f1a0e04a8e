using Attune.Core;
using Attune.Storage.Sqlite;

namespace Attune.Storage.Tests.Sqlite;

/// <summary>
/// The child process of the crash test: appends single events from several tasks (so commits are shared) and
/// prints each event id once its append has completed, until it is killed.
/// </summary>
internal static class CrashWriter
{
    public const string Command = "crash-writer";

    public static async Task RunAsync(string dataDirectory)
    {
        var store = await SqliteStore.OpenAsync(dataDirectory);
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var k = Interlocked.Increment(ref next);
                var id = $"k{k}";
                await store.Events.AppendAsync([new Event(id, "crash-user", $"i{k % 50}", EventTypes.View, null, t0.AddMilliseconds(k))]);
                Console.Out.WriteLine(id);
            }
        })));
    }
}
