using System.Buffers;
using System.IO.Pipelines;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Attune.Engine.Feedback;
using Attune.Engine.Ingestion;
using Attune.Engine.Options;
using Attune.Benchmarks.Storage;
using Attune.Server;
using Attune.Server.Hosting;
using Attune.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Attune.Benchmarks.Http;

/// <summary>
/// Ingestion over HTTP on loopback, server and clients in one process: batched posts from a few clients,
/// single-event posts from 64, each against three endpoints that take the same bodies: the real
/// <c>POST /v1/events</c> (parse, validate, durable group commit), a parse-only endpoint, and a bare one that
/// reads the body and discards it (the ceiling of this HTTP stack on this machine, same run, same client).
/// Every endpoint is warmed with both request shapes first, for a fixed time (<c>--warm-seconds</c>, 3 per endpoint and
/// shape) so tiered compilation has finished, and the server's automatic retraining is off unless
/// <c>--retrain-after-events</c> is given, so each phase measures ingestion, not the JIT or a training run.
/// </summary>
/// <remarks>
/// The store endpoint answers once the events are durable and leaves the event observers (live profiles,
/// real-time serving state, metrics) to the server's observer queue, which runs after the response. Each phase's
/// clock therefore stops only when the last response is in <em>and</em> the queue has applied every acknowledged
/// event, and the per-user index has written its in-memory tail to its file (<see cref="Backlog"/>, on the
/// in-process host): stopping at the last response would credit the store endpoint with events whose observer or
/// index work was still to be done.
/// </remarks>
public sealed class HttpIngestScenario : IScenario
{
    public string Name => "http-ingest";

    public string Description => "HTTP ingestion on loopback: batched events/s, single-event req/s and p50/p99, vs a discard ceiling";

    public async Task<int> RunAsync(string[] args)
    {
        var o = HttpIngestOptions.Parse(args);
        Console.WriteLine($"# http-ingest\n\n{o}\n");
        var dataDir = Path.Combine(Path.GetTempPath(), "attune-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = AttuneServer.Build(
                ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", $"--Attune:Storage:Synchronous={o.Synchronous}",
                    $"--Attune:Models:RetrainAfterEvents={o.RetrainAfterEvents}"],
                new AttuneHostSettings { DataDir = dataDir });
            MapCeilingEndpoints(app);
            await app.StartAsync();
            var baseAddress = new Uri(app.Urls.First() + "/");

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, UseProxy = false, UseCookies = false })
            {
                BaseAddress = baseAddress,
                Timeout = TimeSpan.FromMinutes(5),
            };

            var rows = new List<Row>();
            var batched = Bodies.Batches(o.BatchRequests, o.BatchSize, prefix: "b");
            var singles = Bodies.Batches(o.SingleRequests, 1, prefix: "s");

            // Warm-up of every endpoint with both shapes, for a fixed time rather than a fixed count: the runtime's
            // tier-1 recompilation of the store path's hot loops takes seconds of calls, and a count-based warm-up (300
            // requests of 100 events) ended long before it, so the recompilation then ran during the measured phase
            // (a fifth of the process's samples). Ids are distinct from the measured ones.
            var warmSeconds = TimeSpan.FromSeconds(o.WarmSeconds);
            var observers = Backlog.Of(app.Services);
            foreach (var (_, url) in Endpoints)
            {
                await Load.WarmAsync(http, url, o.BatchSize, o.BatchClients, warmSeconds, observers);
                await Load.WarmAsync(http, url, 1, o.SingleClients, warmSeconds, observers);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            foreach (var (_, url) in Endpoints)
            {
                await Load.RunAsync(http, url, Bodies.Batches(4_000, 1, prefix: "y"), o.SingleClients, observers);
            }
            // The events the store holds when its batched phase begins: the sized ceiling inserts into a table as full.
            var storedBefore = (await app.Services.GetRequiredService<StoreHost>().Store.Events.GetStatsAsync()).Events;
            foreach (var (label, url) in Endpoints)
            {
                rows.Add(await Load.RunAsync(http, url, batched, o.BatchClients, observers) with { Phase = $"batched x{o.BatchSize}", Endpoint = label });
            }

            foreach (var (label, url) in Endpoints)
            {
                rows.Add(await Load.RunAsync(http, url, singles, o.SingleClients, observers) with { Phase = "single", Endpoint = label });
            }

            await app.StopAsync();
            var ceiling = await RawSqliteCeiling.MeasureAsync(o.BatchRequests * o.BatchSize);
            var sized = await RawSqliteCeiling.MeasureAsync(o.BatchRequests * o.BatchSize, preload: storedBefore);
            Report.Print(rows, o, ceiling, (sized, storedBefore));
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
    }

    private static readonly (string Label, string Url)[] Endpoints =
    [
        ("store (POST /v1/events)", "v1/events"),
        ("parse only", "bench/parse"),
        ("discard (ceiling)", "bench/discard"),
    ];

    private static void MapCeilingEndpoints(WebApplication app)
    {
        var limits = new LimitOptions();
        var ack = "{\"accepted\":0,\"duplicates\":0}"u8.ToArray();
        app.MapPost("/bench/discard", async (HttpContext context) =>
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync();
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(ack);
        });
        app.MapPost("/bench/parse", async (HttpContext context) =>
        {
            var reader = context.Request.BodyReader;
            ReadResult result;
            while (true)
            {
                result = await reader.ReadAsync();
                if (result.IsCompleted)
                {
                    break;
                }

                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }

            var parsed = EventJsonReader.Read(result.Buffer, limits, DateTimeOffset.UtcNow);
            reader.AdvanceTo(result.Buffer.End);
            context.Response.StatusCode = parsed.IsValid ? StatusCodes.Status202Accepted : StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(ack);
        });
    }
}

internal sealed record HttpIngestOptions(
    int BatchSize, int BatchRequests, int BatchClients, int SingleRequests, int SingleClients, string Synchronous, long RetrainAfterEvents,
    double WarmSeconds)
{
    public static HttpIngestOptions Parse(string[] args)
    {
        // Retraining after every 100,000 new events (the server's default) would train models on the same two
        // cores while the load runs, and the CPU figures would measure training as much as ingestion: off by
        // default here, --retrain-after-events 100000 measures the two together.
        var o = new HttpIngestOptions(1000, 300, 4, 60_000, 64, "Full", 0, 3);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var v = args[i + 1];
            o = args[i] switch
            {
                "--batch-size" => o with { BatchSize = int.Parse(v, CultureInfo.InvariantCulture) },
                "--batch-requests" => o with { BatchRequests = int.Parse(v, CultureInfo.InvariantCulture) },
                "--batch-clients" => o with { BatchClients = int.Parse(v, CultureInfo.InvariantCulture) },
                "--single-requests" => o with { SingleRequests = int.Parse(v, CultureInfo.InvariantCulture) },
                "--single-clients" => o with { SingleClients = int.Parse(v, CultureInfo.InvariantCulture) },
                "--synchronous" => o with { Synchronous = v },
                "--retrain-after-events" => o with { RetrainAfterEvents = long.Parse(v, CultureInfo.InvariantCulture) },
                "--warm-seconds" => o with { WarmSeconds = double.Parse(v, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; options: --batch-size --batch-requests --batch-clients --single-requests --single-clients --synchronous Full|Normal --retrain-after-events N --warm-seconds S (per endpoint and shape)"),
            };
        }

        return o;
    }
}

/// <summary>One measured load: how many requests and events, how long, and each request's latency.</summary>
/// <param name="CpuSeconds">Processor time of the whole process (server and clients) during the load: on a busy
/// machine this moves less than the wall time, so it is the figure to compare between runs.</param>
internal sealed record Row(string Phase, string Endpoint, int Requests, long Events, double Seconds, long[] LatencyTicks, int Failures, double CpuSeconds)
{
    public double CpuMicrosPerEvent => CpuSeconds * 1e6 / Events;

    public double EventsPerSecond => Events / Seconds;

    public double RequestsPerSecond => Requests / Seconds;

    public double PercentileMs(double p)
    {
        if (LatencyTicks.Length == 0)
        {
            return double.NaN;
        }

        var sorted = LatencyTicks.Order().ToArray();
        var idx = (int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1);
        return sorted[Math.Max(0, idx)] * 1000.0 / Stopwatch.Frequency;
    }
}

internal static class Bodies
{
    /// <summary>Pre-built request bodies with unique event ids, so the client spends no time serializing during the run.</summary>
    public static byte[][] Batches(int requests, int perRequest, string prefix)
    {
        var bodies = new byte[requests][];
        var sb = new StringBuilder(perRequest * 160);
        var t0 = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds();
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var r = 0; r < requests; r++)
        {
            sb.Clear();
            if (perRequest > 1)
            {
                sb.Append('[');
            }

            for (var i = 0; i < perRequest; i++)
            {
                var n = ((long)r * perRequest) + i;
                if (i > 0)
                {
                    sb.Append(',');
                }

                sb.Append(CultureInfo.InvariantCulture,
                    $"{{\"id\":\"{prefix}{run}-{n}\",\"userId\":\"u{n % 50_000}\",\"itemId\":\"i{(n * 7919) % 20_000}\",\"type\":\"view\",\"timestamp\":{t0 + (n % 80_000)},\"context\":{{\"channel\":\"web\"}}}}");
            }

            if (perRequest > 1)
            {
                sb.Append(']');
            }

            bodies[r] = Encoding.UTF8.GetBytes(sb.ToString());
        }

        return bodies;
    }

    public static int EventsIn(byte[] body) => body.AsSpan().Count("\"id\""u8);
}

/// <summary>
/// The work an acknowledged event still leaves after its response: the event observers' queue and the per-user
/// index's in-memory tail. A phase's clock stops only once both are done, so deferred work is counted.
/// </summary>
internal sealed class Backlog(EventObserverQueue observers, StoreHost stores)
{
    public static Backlog Of(IServiceProvider services) =>
        new(services.GetRequiredService<EventObserverQueue>(), services.GetRequiredService<StoreHost>());

    public async Task DrainAsync()
    {
        await observers.DrainAsync();
        if (stores.Store is SqliteStore sqlite)
        {
            await sqlite.FlushUserIndexAsync();
        }
    }
}

internal static class Load
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Runs requests of <paramref name="perRequest"/> events against <paramref name="url"/> for at least <paramref name="duration"/>.</summary>
    public static async Task WarmAsync(HttpClient http, string url, int perRequest, int clients, TimeSpan duration, Backlog observers)
    {
        var requests = Math.Max(clients * 4, 20_000 / perRequest);
        var warm = Stopwatch.StartNew();
        var round = 0;
        while (warm.Elapsed < duration)
        {
            await RunAsync(http, url, Bodies.Batches(requests, perRequest, prefix: $"w{round++}-"), clients, observers);
        }
    }

    /// <summary>
    /// Posts every body from <paramref name="clients"/> concurrent clients. The clock stops once the last response is
    /// in, the event observers have applied every acknowledged event and the per-user index has written its tail
    /// (<see cref="Backlog.DrainAsync"/>):
    /// the store endpoint answers once the events are durable and leaves profiles and serving state to the observer
    /// queue's thread, so stopping at the last response would leave part of the work out of the figures.
    /// </summary>
    public static async Task<Row> RunAsync(HttpClient http, string url, byte[][] bodies, int clients, Backlog observers)
    {
        var next = -1;
        var latencies = new long[bodies.Length];
        var failures = 0;
        long events = 0;
        var eventsPerBody = Bodies.EventsIn(bodies[0]);
        var cpu = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Length)
            {
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = Json;
                var t = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(url, content);
                await response.Content.ReadAsByteArrayAsync();
                latencies[i] = Stopwatch.GetTimestamp() - t;
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref failures);
                }
                else
                {
                    Interlocked.Add(ref events, eventsPerBody);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        await observers.DrainAsync();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpuSeconds = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        return new Row(string.Empty, url, bodies.Length, events, seconds, latencies, failures, cpuSeconds);
    }
}

internal static class Report
{
    /// <param name="ceiling">Raw inserts into an empty table.</param>
    /// <param name="sized">Raw inserts into a table first filled (untimed) with as many rows as the store held when
    /// its batched phase began (the warm-ups' events): the same table size as the measured phase.</param>
    public static void Print(List<Row> rows, HttpIngestOptions o, CeilingResult ceiling, (CeilingResult Result, long Preloaded) sized)
    {
        Console.WriteLine("| phase | endpoint | clients | requests | events | seconds | events/s | requests/s | p50 ms | p99 ms | failed | CPU us/event |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var clients = r.Phase.StartsWith("batched", StringComparison.Ordinal) ? o.BatchClients : o.SingleClients;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Phase} | {r.Endpoint} | {clients} | {r.Requests} | {r.Events} | {r.Seconds:F2} | {r.EventsPerSecond:N0} | {r.RequestsPerSecond:N0} | {r.PercentileMs(0.50):F2} | {r.PercentileMs(0.99):F2} | {r.Failures} | {r.CpuMicrosPerEvent:F1} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| phase | store / discard ceiling | store / parse only |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var phase in rows.Select(r => r.Phase).Distinct())
        {
            var store = rows.First(r => r.Phase == phase && r.Endpoint.StartsWith("store", StringComparison.Ordinal));
            var parse = rows.First(r => r.Phase == phase && r.Endpoint.StartsWith("parse", StringComparison.Ordinal));
            var discard = rows.First(r => r.Phase == phase && r.Endpoint.StartsWith("discard", StringComparison.Ordinal));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {phase} | {store.EventsPerSecond / discard.EventsPerSecond:P1} | {store.EventsPerSecond / parse.EventsPerSecond:P1} |"));
        }

        Console.WriteLine();
        var batchedStore = rows.First(r => r.Phase.StartsWith("batched", StringComparison.Ordinal) && r.Endpoint.StartsWith("store", StringComparison.Ordinal));
        Console.WriteLine("| raw SQLite INSERT ceiling (same run) | events | seconds | events/s | batched HTTP store / ceiling | CPU us/event |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| 100k rows/tx, WAL, synchronous=FULL, empty table | {ceiling.Events} | {ceiling.Elapsed.TotalSeconds:F2} | {ceiling.EventsPerSecond:N0} | {batchedStore.EventsPerSecond / ceiling.EventsPerSecond:P1} | {ceiling.CpuMicrosPerEvent:F1} |"));
        var s = sized.Result;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| same, into a table of {sized.Preloaded:N0} rows (the store's at the phase start) | {s.Events} | {s.Elapsed.TotalSeconds:F2} | {s.EventsPerSecond:N0} | {batchedStore.EventsPerSecond / s.EventsPerSecond:P1} | {s.CpuMicrosPerEvent:F1} |"));
        Console.WriteLine();
        Console.WriteLine(Scenarios.MachineLine());
    }
}
