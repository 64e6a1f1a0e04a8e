using System.Text.Json;
using Attune.Core;
using Attune.Engine.Options;
using Attune.Engine.Profiles;

namespace Attune.Engine.Tests.Profiles;

internal static class ProfileFixtures
{
    public static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static ProfileOptions ProfileOptions(TimeSpan? halfLife = null) => new()
    {
        InterestHalfLife = halfLife ?? TimeSpan.FromDays(30),
        TopInterests = 5,
        InterestFields = ["category", "tag", "brand"],
    };

    public static DataQualityOptions Quality(int maxPerMinute = 120) => new() { BotMaxEventsPerMinute = maxPerMinute };

    public static ProfileService Service(ProfileOptions? options = null, DataQualityOptions? quality = null, TimeProvider? clock = null, IPredictionStore? predictions = null) =>
        new(options ?? ProfileOptions(), quality ?? Quality(), EventTypeRegistry.Default, clock ?? new FixedClock(T0.AddDays(200)), predictions);

    public static Item Item(string id, string[] categories, string[]? tags = null, string? brand = null) =>
        new(id, Categories: categories, Tags: tags ?? [],
            Properties: brand is null ? null : new Dictionary<string, JsonElement> { ["brand"] = JsonSerializer.SerializeToElement(brand) });

    public static Event View(string user, string? item, DateTimeOffset at, string type = EventTypes.View, double? value = null, string? channel = null, string? device = null, string? id = null) =>
        new(id, user, item, type, value, at, Context: channel is null && device is null ? null : new EventContext(channel, device));

    /// <summary>A catalog of 30 items over 6 categories, 5 tags and 4 brands.</summary>
    public static List<Item> Catalog()
    {
        var items = new List<Item>();
        string[] cats = ["sports", "books", "garden", "music", "toys", "food"];
        string[] tags = ["new", "sale", "eco", "gift", "premium"];
        string[] brands = ["acme", "globex", "initech", "umbrella"];
        for (var i = 0; i < 30; i++)
        {
            items.Add(Item($"i{i}", [cats[i % 6], cats[(i / 6) % 6]], [tags[i % 5]], brands[i % 4]));
        }

        return items;
    }

    /// <summary>Random behaviour of <paramref name="users"/> users over 150 days, with purchases, dwell, channels and devices.</summary>
    public static List<Event> RandomEvents(int users, int events, int seed)
    {
        var rng = new Random(seed);
        string[] types = [EventTypes.View, EventTypes.View, EventTypes.Click, EventTypes.AddToCart, EventTypes.Purchase, EventTypes.Dwell, EventTypes.Dislike, EventTypes.Like, EventTypes.Search];
        string?[] channels = ["web", "app", "email", null];
        string?[] devices = ["mobile", "desktop", "tablet", null];
        var list = new List<Event>(events);
        for (var i = 0; i < events; i++)
        {
            var type = types[rng.Next(types.Length)];
            var at = T0.AddMinutes(rng.Next(0, 150 * 24 * 60)).AddMilliseconds(rng.Next(1000));
            double? value = type switch
            {
                EventTypes.Purchase => Math.Round(rng.NextDouble() * 100, 2),
                EventTypes.Dwell => rng.Next(1, 300),
                _ => null,
            };
            list.Add(View($"u{rng.Next(users)}", type == EventTypes.Search ? null : $"i{rng.Next(32)}", at, type, value,
                channels[rng.Next(channels.Length)], devices[rng.Next(devices.Length)]));
        }

        return list;
    }

    public static List<T> Shuffled<T>(IEnumerable<T> source, int seed)
    {
        var list = source.ToList();
        var rng = new Random(seed);
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }

    /// <summary>Feeds events to the live path in batches, as the event feed would.</summary>
    public static void Feed(ProfileService service, IReadOnlyList<Event> events, int batch = 7)
    {
        for (var i = 0; i < events.Count; i += batch)
        {
            service.OnAppended([.. events.Skip(i).Take(batch)]);
        }
    }

    public static void AssertSame(UserProfile expected, UserProfile actual)
    {
        Assert.Equal(expected.UserId, actual.UserId);
        Assert.Equal(expected.AsOf, actual.AsOf);
        Assert.Equal(expected.FirstSeen, actual.FirstSeen);
        Assert.Equal(expected.LastSeen, actual.LastSeen);
        Assert.Equal(expected.EventCount, actual.EventCount);
        Assert.Equal(expected.Sessions, actual.Sessions);
        Assert.Equal(expected.ActiveDays, actual.ActiveDays);
        Close(expected.AverageDwellSeconds, actual.AverageDwellSeconds);
        Assert.Equal(expected.PreferredChannel, actual.PreferredChannel);
        Assert.Equal(expected.PreferredDevice, actual.PreferredDevice);
        Assert.Equal(expected.Rfm.Frequency, actual.Rfm.Frequency);
        Close(expected.Rfm.Monetary, actual.Rfm.Monetary);
        Close(expected.Rfm.RecencyDays, actual.Rfm.RecencyDays);
        Assert.Equal((expected.Rfm.R, expected.Rfm.F, expected.Rfm.M), (actual.Rfm.R, actual.Rfm.F, actual.Rfm.M));
        Assert.Equal(expected.Lifecycle, actual.Lifecycle);
        Assert.Equal(expected.IsBot, actual.IsBot);
        Assert.Equal(expected.Interests.Keys.Order(), actual.Interests.Keys.Order());
        foreach (var (field, e) in expected.Interests)
        {
            var a = actual.Interests[field];
            Close(e.Strength, a.Strength);
            Assert.Equal(e.Top.Count, a.Top.Count);
            foreach (var s in e.Top)
            {
                // Same keys with the same scores; the order of near-ties may differ in the last bits.
                Assert.True(a.Scores.TryGetValue(s.Key, out var v), $"{expected.UserId}: {field}[{s.Key}] missing");
                Close(s.Score, v);
            }
        }
    }

    private static void Close(double? expected, double? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is { } e && actual is { } a)
        {
            Assert.True(Math.Abs(e - a) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"expected {e:R} but got {a:R}");
        }
    }
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>An in-memory prediction store, to check what is persisted and erased.</summary>
internal sealed class MemoryPredictions : IPredictionStore
{
    public Dictionary<(string User, string Name), PredictionWrite> Rows { get; } = [];

    public IReadOnlyList<PredictionWrite> LoadPredictions() => [.. Rows.Values];

    public void SavePredictions(IReadOnlyList<PredictionWrite> predictions)
    {
        foreach (var p in predictions)
        {
            Rows[(p.UserId, p.Name)] = p;
        }
    }

    public void DeletePredictions(string userId)
    {
        foreach (var key in Rows.Keys.Where(k => k.User == userId).ToList())
        {
            Rows.Remove(key);
        }
    }
}
