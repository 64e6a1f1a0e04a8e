using System.Collections.Concurrent;
using Attune.Client;
using Attune.Core;
using Attune.TestSupport;

namespace Attune.Server.IntegrationTests;

public sealed class DurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_event_survives_kill_minus_9_of_the_server()
    {
        // Arrange: a real server process and several clients streaming batches and single events.
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        var acknowledged = new ConcurrentQueue<Event[]>();
        using var stop = new CancellationTokenSource();
        Task[] clients;
        using (var server = await ServerProcess.StartAsync(dir.Path, port))
        {
            clients = Enumerable.Range(0, 6)
                .Select(c => Task.Run(() => StreamAsync(server.BaseAddress, c, batchSize: c < 3 ? 200 : 1, acknowledged, stop.Token)))
                .ToArray();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (acknowledged.Sum(b => b.Length) < 5_000 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            // Act: kill mid-stream, while requests are in flight.
            server.KillHard();
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);
        var acked = acknowledged.SelectMany(b => b).ToList();

        // Assert: after a restart on the same data, posting every acknowledged event again finds each one stored.
        using var restarted = await ServerProcess.StartAsync(dir.Path, ServerProcess.FreePort());
        using var client = new AttuneClient(restarted.BaseAddress);
        var duplicates = 0;
        foreach (var chunk in acked.Chunk(5_000))
        {
            var result = await client.PostEventsAsync(chunk);
            Assert.True(result.Accepted == 0, $"{result.Accepted} acknowledged events were lost (of {chunk.Length} in this chunk).");
            duplicates += result.Duplicates;
        }

        Assert.True(acked.Count > 0, "No event was acknowledged before the kill; the test proved nothing.");
        Assert.Equal(acked.Count, duplicates);
        Assert.True((await client.GetStatsAsync()).Events >= acked.Count);
    }

    private static async Task StreamAsync(Uri baseAddress, int clientNo, int batchSize, ConcurrentQueue<Event[]> acknowledged, CancellationToken stop)
    {
        using var client = new AttuneClient(baseAddress);
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        for (var b = 0; !stop.IsCancellationRequested; b++)
        {
            var batch = new Event[batchSize];
            for (var i = 0; i < batchSize; i++)
            {
                batch[i] = new Event($"c{clientNo}-b{b}-e{i}", $"u{(b + i) % 97}", $"i{i % 31}", EventTypes.View, null, t0.AddMilliseconds(b));
            }

            try
            {
                await client.PostEventsAsync(batch, stop);
                acknowledged.Enqueue(batch);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                // The server died under this request: it was never acknowledged.
                return;
            }
        }
    }
}
