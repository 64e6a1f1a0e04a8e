using System.Diagnostics;
using System.Globalization;
using Attune.Engine.Feedback;
using Attune.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Attune.Benchmarks.Http;

/// <summary>
/// Single-event ingestion against its ceiling in alternating rounds: the real <c>POST /v1/events</c> (durable) and
/// the bare endpoint that reads the body and discards it, each round the same number of one-event requests from the
/// same 64 clients, the order of the two flipped every round. The figure is the median of the per-round ratios.
/// </summary>
/// <remarks>
/// On a shared machine the load of other processes moves within seconds, so two long phases measured one after the
/// other compare two different machines; rounds of about a second each see nearly the same one, and the median
/// drops the rounds where the load jumped in between. Same bodies, handler, client and clock as <c>http-ingest</c>
/// (a load ends when the event observers have applied every acknowledged event).
/// </remarks>
public sealed class HttpIngestSingleScenario : IScenario
{
    public string Name => "http-ingest-single";

    public string Description => "single-event HTTP ingestion vs the discard ceiling in alternating rounds (median ratio)";

    public async Task<int> RunAsync(string[] args)
    {
        var o = SingleRoundsOptions.Parse(args);
        Console.WriteLine($"# http-ingest-single\n\n{o}\n");
        var dataDir = Path.Combine(Path.GetTempPath(), "attune-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = AttuneServer.Build(
                ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", $"--Attune:Storage:Synchronous={o.Synchronous}",
                    "--Attune:Models:RetrainAfterEvents=0"],
                new AttuneHostSettings { DataDir = dataDir });
            MapDiscard(app);
            await app.StartAsync();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, UseProxy = false, UseCookies = false })
            {
                BaseAddress = new Uri(app.Urls.First() + "/"),
                Timeout = TimeSpan.FromMinutes(5),
            };

            // Each load's clock stops once the event observers have applied what it stored, as in http-ingest.
            var observers = Backlog.Of(app.Services);

            // Time-based warm-up, so tiered compilation has reached its final code on both paths before any round.
            var warm = 0;
            var until = Stopwatch.GetTimestamp() + (long)(o.WarmupSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                await Load.RunAsync(http, Store, Bodies.Batches(2_000, 1, prefix: $"w{warm}-"), o.Clients, observers);
                await Load.RunAsync(http, Discard, Bodies.Batches(2_000, 1, prefix: $"x{warm}-"), o.Clients, observers);
                warm++;
            }

            var rounds = new List<(Row Store, Row Discard)>();
            for (var r = 0; r < o.Rounds; r++)
            {
                var bodies = Bodies.Batches(o.RequestsPerRound, 1, prefix: $"r{r}-");
                Row store, discard;
                if (r % 2 == 0)
                {
                    store = await Load.RunAsync(http, Store, bodies, o.Clients, observers);
                    discard = await Load.RunAsync(http, Discard, bodies, o.Clients, observers);
                }
                else
                {
                    discard = await Load.RunAsync(http, Discard, bodies, o.Clients, observers);
                    store = await Load.RunAsync(http, Store, bodies, o.Clients, observers);
                }

                rounds.Add((store, discard));
            }

            await app.StopAsync();
            Print(rounds);
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

    private const string Store = "v1/events";
    private const string Discard = "bench/discard-single";

    /// <summary>The same discard handler as <c>http-ingest</c>: read the whole body, answer 202 with a fixed body.</summary>
    private static void MapDiscard(WebApplication app)
    {
        var ack = "{\"accepted\":0,\"duplicates\":0}"u8.ToArray();
        app.MapPost("/" + Discard, async (HttpContext context) =>
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
    }

    private static void Print(List<(Row Store, Row Discard)> rounds)
    {
        Console.WriteLine("| round | store req/s | discard req/s | store / discard | store p50 ms | store p99 ms | store CPU us/req | discard CPU us/req | failed |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (var i = 0; i < rounds.Count; i++)
        {
            var (s, d) = rounds[i];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {i + 1} | {s.RequestsPerSecond:N0} | {d.RequestsPerSecond:N0} | {s.RequestsPerSecond / d.RequestsPerSecond:P1} | {s.PercentileMs(0.50):F2} | {s.PercentileMs(0.99):F2} | {s.CpuMicrosPerEvent:F1} | {d.CpuMicrosPerEvent:F1} | {s.Failures + d.Failures} |"));
        }

        var ratios = rounds.Select(r => r.Store.RequestsPerSecond / r.Discard.RequestsPerSecond).Order().ToArray();
        var cpu = rounds.Select(r => r.Store.CpuMicrosPerEvent / r.Discard.CpuMicrosPerEvent).Order().ToArray();
        var all = new Row("single", Store, 0, 0, 0, rounds.SelectMany(r => r.Store.LatencyTicks).ToArray(), 0, 0);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median store / discard: {Median(ratios):P1} (rounds {ratios[0]:P1} .. {ratios[^1]:P1}); median CPU per request store / discard: {Median(cpu):F2}x; store p50 {all.PercentileMs(0.50):F2} ms, p99 {all.PercentileMs(0.99):F2} ms over all rounds"));
        Console.WriteLine(Scenarios.MachineLine());
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

internal sealed record SingleRoundsOptions(int Rounds, int RequestsPerRound, int Clients, double WarmupSeconds, string Synchronous)
{
    public static SingleRoundsOptions Parse(string[] args)
    {
        var o = new SingleRoundsOptions(11, 10_000, 64, 4, "Full");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var v = args[i + 1];
            o = args[i] switch
            {
                "--rounds" => o with { Rounds = int.Parse(v, CultureInfo.InvariantCulture) },
                "--requests" => o with { RequestsPerRound = int.Parse(v, CultureInfo.InvariantCulture) },
                "--clients" => o with { Clients = int.Parse(v, CultureInfo.InvariantCulture) },
                "--warmup" => o with { WarmupSeconds = double.Parse(v, CultureInfo.InvariantCulture) },
                "--synchronous" => o with { Synchronous = v },
                _ => throw new ArgumentException($"Unknown option {args[i]}; options: --rounds N --requests N (per round and endpoint) --clients N --warmup SECONDS --synchronous Full|Normal"),
            };
        }

        if (o.Rounds < 1 || o.RequestsPerRound < 1 || o.Clients < 1)
        {
            throw new ArgumentException("--rounds, --requests and --clients must be at least 1.");
        }

        return o;
    }
}
