using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Attune.Core;
using Attune.Engine.Options;
using Attune.Engine.Profiles;
using Attune.Engine.Segments;

namespace Attune.Benchmarks;

/// <summary>
/// Live profile update cost per event (in-process, through the same entry point the event feed calls) next to a
/// reference per-event update measured in the same run, and segment rule evaluation over synthetic profiles next to
/// the same rule hand-written in C#.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release --project bench/Attune.Benchmarks -- profiles [--events 2000000] [--users 200000]
/// [--items 20000] [--profiles 1000000]</c>. Targets: under 5 µs per event; under 2 s per rule over 1M profiles.
/// </remarks>
public sealed class ProfilesScenario : IScenario
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string Name => "profiles";

    public string Description => "profile update cost per event; segment rule evaluation over 1M synthetic profiles";

    public Task<int> RunAsync(string[] args)
    {
        var events = Int(args, "--events", 2_000_000);
        var users = Int(args, "--users", 200_000);
        var items = Int(args, "--items", 20_000);
        var profiles = Int(args, "--profiles", 1_000_000);

        UpdateCost(events, users, items);
        SegmentCost(profiles);
        Console.WriteLine(Scenarios.MachineLine());
        return Task.FromResult(0);
    }

    private static void UpdateCost(int eventCount, int userCount, int itemCount)
    {
        Console.WriteLine($"## profiles: update cost per event ({eventCount:N0} events, {userCount:N0} users, {itemCount:N0} items, batches of 100)");
        Console.WriteLine();
        var catalog = Catalog(itemCount);
        var events = Events(eventCount, userCount, itemCount, seed: 7);
        var batches = Batches(events, 100);

        // Reference: the least any per-user live state costs: find the user's slot, lock it, bump a counter.
        var reference = new ConcurrentDictionary<string, long[]>(StringComparer.Ordinal);
        var (_, refSeconds, refAlloc) = Measure(() =>
        {
            foreach (var batch in batches)
            {
                foreach (var e in batch)
                {
                    var slot = reference.GetOrAdd(e.UserId, static _ => new long[1]);
                    lock (slot)
                    {
                        slot[0]++;
                    }
                }
            }

            return 0;
        });

        using var service = new ProfileService(new ProfileOptions(), new DataQualityOptions(), EventTypeRegistry.Default);
        service.Rebuild(catalog, [], []);
        var (_, seconds, alloc) = Measure(() =>
        {
            foreach (var batch in batches)
            {
                service.OnAppended(batch);
            }

            return 0;
        });

        // Second pass over the same users (profiles already exist, as in steady state), new timestamps.
        var later = Batches([.. events.Select(e => e with { Timestamp = e.Timestamp.AddDays(90) })], 100);
        var (_, steadySeconds, steadyAlloc) = Measure(() =>
        {
            foreach (var batch in later)
            {
                service.OnAppended(batch);
            }

            return 0;
        });

        var (snapshotCount, snapshotSeconds, _) = Measure(() => service.All().Count());
        Console.WriteLine("| path | ns/event | events/s | bytes allocated/event |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Row("reference: dictionary slot + lock + counter", refSeconds, refAlloc, eventCount);
        Row("profile update, first pass (profiles created)", seconds, alloc, eventCount);
        Row("profile update, steady state (second pass)", steadySeconds, steadyAlloc, eventCount);
        Console.WriteLine();
        var q = service.Quality;
        Console.WriteLine(Invariant(
            $"Profile update / reference (steady state): {steadySeconds / refSeconds:F1}x. Target: under 5,000 ns/event. Snapshots of all {snapshotCount:N0} profiles (interests joined with the catalog): {snapshotSeconds:F2} s. Quality: {q.DuplicatesRemoved:N0} duplicates, {q.BotUsers:N0} bot users, {q.Sessions:N0} sessions."));
        Console.WriteLine();
    }

    private static void SegmentCost(int count)
    {
        Console.WriteLine($"## profiles: segment rule evaluation over {count:N0} synthetic profiles");
        Console.WriteLine();
        var profiles = SyntheticProfiles(count, seed: 11);
        var binder = ProfileSchema.Create(["category", "tag", "brand"], ["purchase_7d", "churn_30d"], null,
            [new User("x", new Dictionary<string, JsonElement> { ["country"] = JsonSerializer.SerializeToElement("DE") })]);
        (string Rule, Func<UserProfile, bool> Hand)[] rules =
        [
            ("""rfm.recency_days <= 30 and interests.category["sports"] > 0.3 and predicted.purchase_7d > 0.5""",
                p => p.Rfm.RecencyDays <= 30 && p.Interests.TryGetValue("category", out var c) && c.Scores.TryGetValue("sports", out var s) && s > 0.3
                    && p.Predictions.TryGetValue("purchase_7d", out var ps) && ps.Score > 0.5),
            ("""lifecycle in ["at-risk", "lapsed"] and orders >= 3""",
                p => (p.Lifecycle == LifecycleStage.AtRisk || p.Lifecycle == LifecycleStage.Lapsed) && p.OrderCount >= 3),
            ("""attributes.country == "DE" and rfm.m >= 4""",
                p => p.Attributes.TryGetValue("country", out var e) && e.ValueKind == JsonValueKind.String && e.ValueEquals("DE") && p.Rfm.M >= 4),
        ];

        Console.WriteLine("| rule | members | compiled rule s | hand-written C# s | ratio | ns/profile |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (rule, hand) in rules)
        {
            var compiled = binder.CompilePredicate(rule).AsFunc();
            var (n, seconds, _) = Best(() => SegmentService.Count(compiled, profiles));
            var (h, handSeconds, _) = Best(() => SegmentService.Count(hand, profiles));
            if (n != h)
            {
                Console.WriteLine($"MISMATCH: compiled {n} vs hand-written {h} for {rule}");
                throw new InvalidOperationException("The compiled rule and the hand-written one disagree.");
            }

            Console.WriteLine(Invariant(
                $"| `{rule}` | {n:N0} | {seconds:F3} | {handSeconds:F3} | {seconds / handSeconds:F2} | {seconds * 1e9 / count:F0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Target: under 2 s per rule over 1M profiles. Best of 3 runs each.");
        Console.WriteLine();
    }

    private static List<Item> Catalog(int n)
    {
        string[] cats = ["sports", "books", "garden", "music", "toys", "food", "home", "beauty", "auto", "games"];
        string[] tags = ["new", "sale", "eco", "gift", "premium", "kids"];
        var items = new List<Item>(n);
        for (var i = 0; i < n; i++)
        {
            items.Add(new Item($"i{i}", Categories: [cats[i % cats.Length], cats[(i / 10) % cats.Length]], Tags: [tags[i % tags.Length]],
                Properties: new Dictionary<string, JsonElement> { ["brand"] = JsonSerializer.SerializeToElement($"b{i % 200}") }));
        }

        return items;
    }

    private static List<Event> Events(int n, int users, int items, int seed)
    {
        var rng = new Random(seed);
        string[] types = [EventTypes.View, EventTypes.View, EventTypes.View, EventTypes.Click, EventTypes.AddToCart, EventTypes.Purchase, EventTypes.Dwell];
        string[] channels = ["web", "app", "email"];
        string[] devices = ["mobile", "desktop", "tablet"];
        var contexts = channels.SelectMany(c => devices.Select(d => new EventContext(c, d))).ToArray();
        var userIds = Enumerable.Range(0, users).Select(u => $"u{u}").ToArray();
        var itemIds = Enumerable.Range(0, items).Select(i => $"i{i}").ToArray();
        var list = new List<Event>(n);
        for (var i = 0; i < n; i++)
        {
            var type = types[rng.Next(types.Length)];
            // Mostly in time order with some late arrivals, as a live feed delivers them.
            var at = T0.AddSeconds((60.0 * 24 * 3600 * i / n) - rng.Next(0, 600));
            list.Add(new Event(null, userIds[rng.Next(users)], itemIds[rng.Next(items)], type,
                type == EventTypes.Purchase ? rng.Next(5, 200) : type == EventTypes.Dwell ? rng.Next(1, 300) : null,
                at, Context: contexts[rng.Next(contexts.Length)]));
        }

        return list;
    }

    private static List<Event[]> Batches(List<Event> events, int size)
    {
        var result = new List<Event[]>();
        for (var i = 0; i < events.Count; i += size)
        {
            result.Add([.. events.GetRange(i, Math.Min(size, events.Count - i))]);
        }

        return result;
    }

    private static UserProfile[] SyntheticProfiles(int n, int seed)
    {
        var rng = new Random(seed);
        string[] cats = ["sports", "books", "garden", "music", "toys", "food"];
        var countries = new[] { "DE", "FR", "US", "GB" }.ToDictionary(c => c, c => JsonSerializer.SerializeToElement(c));
        var result = new UserProfile[n];
        var asOf = T0.AddDays(100);
        for (var i = 0; i < n; i++)
        {
            var orders = rng.Next(0, 8) - 2;
            orders = Math.Max(0, orders);
            var revenue = orders * rng.Next(10, 100);
            var top = new List<InterestScore>();
            var left = 1.0;
            foreach (var c in cats.OrderBy(_ => rng.Next()).Take(rng.Next(0, 4)))
            {
                var s = left * rng.NextDouble();
                left -= s;
                top.Add(new InterestScore(c, s));
            }

            top.Sort((a, b) => b.Score.CompareTo(a.Score));
            var interests = new Dictionary<string, InterestScores>(StringComparer.Ordinal)
            {
                ["category"] = new(top, 1), ["tag"] = InterestScores.Empty, ["brand"] = InterestScores.Empty,
            };
            var predictions = rng.Next(3) == 0
                ? new Dictionary<string, PredictedScore>()
                : new Dictionary<string, PredictedScore> { ["purchase_7d"] = new(rng.NextDouble(), "m1", asOf) };
            var last = asOf.AddDays(-rng.Next(0, 200));
            var stage = (LifecycleStage)rng.Next(5);
            var rfm = orders > 0 ? new RfmScores(rng.Next(0, 120), orders, revenue, rng.Next(1, 6), rng.Next(1, 6), rng.Next(1, 6)) : RfmScores.None;
            var country = countries.Values.ElementAt(rng.Next(countries.Count));
            result[i] = new UserProfile($"u{i}", asOf, last.AddDays(-30), last, rng.Next(1, 500), rng.Next(1, 40), rng.Next(1, 30), null,
                "web", "mobile", rfm, stage, interests, predictions,
                new Dictionary<string, JsonElement> { ["country"] = country }, rng.Next(2) == 0, false);
        }

        return result;
    }

    private static void Row(string name, double seconds, long allocated, int events) =>
        Console.WriteLine(Invariant($"| {name} | {seconds * 1e9 / events:F0} | {events / seconds:N0} | {(double)allocated / events:F0} |"));

    private static (T Result, double Seconds, long Allocated) Measure<T>(Func<T> action)
    {
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var result = action();
        sw.Stop();
        return (result, sw.Elapsed.TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (T Result, double Seconds, long Allocated) Best<T>(Func<T> action)
    {
        var best = Measure(action);
        for (var i = 0; i < 2; i++)
        {
            var m = Measure(action);
            if (m.Seconds < best.Seconds)
            {
                best = m;
            }
        }

        return best;
    }

    private static int Int(string[] args, string name, int fallback) =>
        ScenarioArgs.Arg(args, name) is { } s && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
