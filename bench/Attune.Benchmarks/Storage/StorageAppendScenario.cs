using System.Diagnostics;
using System.Globalization;
using Attune.Core;
using Attune.Storage.Sqlite;

namespace Attune.Benchmarks.Storage;

/// <summary>
/// Event ingestion of the SQLite store next to the raw SQLite ceiling: batched appends (10,000 events a
/// call, the importer's pattern) and single-event appends from many concurrent callers (the HTTP pattern,
/// carried by group commit).
/// </summary>
/// <remarks>Options: --events N (batched and ceiling, default 1,000,000), --single N (default 200,000),
/// --concurrency N (default 64), --batch N (default 10,000), --sync full|normal|off (default full).</remarks>
public sealed class StorageAppendScenario : IScenario
{
    public string Name => "storage-append";

    public string Description => "SQLite store append rate (batched, 64 concurrent single events) vs raw SQLite INSERT ceiling";

    public async Task<int> RunAsync(string[] args)
    {
        var events = IntOption(args, "--events", 1_000_000);
        var single = IntOption(args, "--single", 200_000);
        var concurrency = IntOption(args, "--concurrency", 64);
        var batchSize = IntOption(args, "--batch", 10_000);
        var sync = Enum.Parse<SqliteSynchronous>(StringOption(args, "--sync", "full"), ignoreCase: true);

        var ceiling = await RawSqliteCeiling.MeasureAsync(events);
        var batched = await RunBatchedAsync(events, batchSize, sync);
        var concurrent = await RunConcurrentAsync(single, concurrency, sync);

        Console.WriteLine($"| storage-append (synchronous={sync}) | events | seconds | events/s | % of ceiling | p50 ms | p99 ms | CPU us/event |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(Row("raw SQLite INSERT ceiling (100k/tx)", ceiling.Events, ceiling.Elapsed, ceiling.EventsPerSecond, null, ceiling.EventsPerSecond, ceiling.Cpu));
        Console.WriteLine(Row($"SqliteStore.AppendAsync, {batchSize:N0}/call", batched.Events, batched.Elapsed, batched.Rate, batched.Latencies, ceiling.EventsPerSecond, batched.Cpu));
        Console.WriteLine(Row($"SqliteStore.AppendAsync, 1/call, {concurrency} callers", concurrent.Events, concurrent.Elapsed, concurrent.Rate, concurrent.Latencies, ceiling.EventsPerSecond, concurrent.Cpu));
        Console.WriteLine();
        Console.WriteLine(Scenarios.MachineLine());
        return 0;
    }

    private sealed record Run(int Events, TimeSpan Elapsed, double[] Latencies, TimeSpan Cpu)
    {
        public double Rate => Events / Elapsed.TotalSeconds;
    }

    private static async Task<Run> RunBatchedAsync(int events, int batchSize, SqliteSynchronous sync)
    {
        var all = Generate(events, "b");
        var dir = TempDir();
        try
        {
            await using var store = await SqliteStore.OpenAsync(dir, new SqliteStoreOptions(sync));
            var latencies = new double[(events + batchSize - 1) / batchSize];
            var cpu = Environment.CpuUsage.TotalTime;
            var watch = Stopwatch.StartNew();
            for (var b = 0; b < latencies.Length; b++)
            {
                var slice = new ArraySegment<Event>(all, b * batchSize, Math.Min(batchSize, events - b * batchSize));
                var t = Stopwatch.GetTimestamp();
                await store.Events.AppendAsync(slice);
                latencies[b] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }

            return new Run(events, watch.Elapsed, latencies, Environment.CpuUsage.TotalTime - cpu);
        }
        finally
        {
            Delete(dir);
        }
    }

    private static async Task<Run> RunConcurrentAsync(int events, int concurrency, SqliteSynchronous sync)
    {
        var all = Generate(events, "s");
        var dir = TempDir();
        try
        {
            await using var store = await SqliteStore.OpenAsync(dir, new SqliteStoreOptions(sync));
            var latencies = new double[events];
            var next = -1;
            var cpu = Environment.CpuUsage.TotalTime;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                var one = new Event[1];
                int i;
                while ((i = Interlocked.Increment(ref next)) < events)
                {
                    one[0] = all[i];
                    var t = Stopwatch.GetTimestamp();
                    await store.Events.AppendAsync(one);
                    latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                }
            })));
            return new Run(events, watch.Elapsed, latencies, Environment.CpuUsage.TotalTime - cpu);
        }
        finally
        {
            Delete(dir);
        }
    }

    private static Event[] Generate(int n, string prefix)
    {
        var rng = new Random(11);
        var users = Enumerable.Range(0, 100_000).Select(u => "user-" + u.ToString(CultureInfo.InvariantCulture)).ToArray();
        var items = Enumerable.Range(0, 10_000).Select(i => "item-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var types = new[] { EventTypes.View, EventTypes.Click, EventTypes.AddToCart, EventTypes.Purchase };
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var all = new Event[n];
        for (var i = 0; i < n; i++)
        {
            all[i] = new Event(prefix + "-" + i.ToString("x8", CultureInfo.InvariantCulture), users[rng.Next(users.Length)],
                items[rng.Next(items.Length)], types[i % 4], null, start.AddMilliseconds(i));
        }

        return all;
    }

    private static string Row(string name, int events, TimeSpan elapsed, double rate, double[]? latencies, double ceiling, TimeSpan cpu)
    {
        var p50 = "-";
        var p99 = "-";
        if (latencies is { Length: > 0 })
        {
            Array.Sort(latencies);
            p50 = latencies[latencies.Length / 2].ToString("F2", CultureInfo.InvariantCulture);
            p99 = latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))].ToString("F2", CultureInfo.InvariantCulture);
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {events:N0} | {elapsed.TotalSeconds:F2} | {rate:N0} | {100 * rate / ceiling:F0}% | {p50} | {p99} | {cpu.TotalMicroseconds / events:F1} |");
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string StringOption(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static string TempDir() => Path.Combine(Path.GetTempPath(), "attune-bench-" + Guid.NewGuid().ToString("N"));

    private static void Delete(string dir)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
