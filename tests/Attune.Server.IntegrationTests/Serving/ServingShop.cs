using System.Net.Http.Json;
using System.Text.Json;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Core;
using Attune.Engine.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Attune.Server.IntegrationTests.Serving;

/// <summary>
/// A small shop with a known structure: three categories of twelve items, thirty users who each browse one category
/// (user i likes category i % 3) and glance at one item of the next. Loaded through the API, and trained into a
/// <see cref="ServingModel"/> with every component the service uses.
/// </summary>
internal sealed class ServingShop
{
    public static readonly string[] Categories = ["shoes", "bags", "hats"];
    public const int PerCategory = 12;
    public const int Users = 30;

    public ServingShop()
    {
        var items = new List<Item>();
        foreach (var c in Categories)
        {
            for (var k = 0; k < PerCategory; k++)
            {
                var tags = new List<string>();
                if (k % 4 == 0)
                {
                    tags.Add("sale");
                }

                items.Add(new Item($"{c}-{k}", $"{Title(c)} model {k}", [c], tags, $"A fine {c[..^1]} in style {k % 3}", 20 + (k * 10),
                    Created: Base.AddDays(-60)));
            }
        }

        Items = items;
        var events = new List<Event>();
        for (var u = 0; u < Users; u++)
        {
            var favourite = Categories[u % 3];
            var other = Categories[(u + 1) % 3];
            var t = Base.AddMinutes(u * 30);
            for (var j = 0; j < 6; j++)
            {
                // Consecutive items of the favourite category, starting at a user-specific offset.
                var k = (u + j) % PerCategory;
                events.Add(new Event($"e-{u}-{j}", $"u{u}", $"{favourite}-{k}", EventTypes.View, null, t.AddMinutes(j), $"s{u}"));
            }

            events.Add(new Event($"e-{u}-x", $"u{u}", $"{other}-{u % PerCategory}", EventTypes.View, null, t.AddMinutes(7), $"s{u}"));
        }

        Events = events;
    }

    /// <summary>Two days ago: every training event lies before the model's snapshot end.</summary>
    public static DateTimeOffset Base { get; } = DateTimeOffset.UtcNow.AddDays(-2);

    public IReadOnlyList<Item> Items { get; }

    public IReadOnlyList<Event> Events { get; }

    public static string CategoryOf(string itemId) => itemId[..itemId.IndexOf('-', StringComparison.Ordinal)];

    /// <summary>Upserts the catalog and posts the events through the API (so the live service sees them as a client would).</summary>
    public async Task LoadAsync(AttuneFactory factory)
    {
        var client = factory.CreateAttuneClient();
        await client.UpsertItemsAsync(Items);
        await client.PostEventsAsync(Events);
    }

    /// <summary>Trains every component on the shop's events; <paramref name="factors"/> and the seed vary the main model.</summary>
    public ServingModel Train(string version, int seed = 42)
    {
        var users = new IdMap(Events.Select(e => e.UserId).Distinct());
        var items = new IdMap(Items.Select(i => i.Id));
        var data = TrainingDataBuilder.FromColumns(
            users,
            items,
            Events.Select(e => users.IndexOf(e.UserId)).ToArray(),
            Events.Select(e => items.IndexOf(e.ItemId!)).ToArray(),
            Events.Select(_ => 1f).ToArray(),
            Events.Select(e => e.Timestamp.ToUnixTimeMilliseconds()).ToArray(),
            itemFeatures: new ItemFeatures(
                Items.Select(i => i.Title).ToArray(),
                Items.Select(i => i.Text).ToArray(),
                Items.Select(i => i.Categories.ToArray()).ToArray(),
                Items.Select(i => i.Tags.ToArray()).ToArray()));
        IRecommender Fit(string spec)
        {
            var (algorithm, options) = AlgorithmRegistry.Parse(spec);
            return algorithm.Fit(data, options);
        }

        var components = new Dictionary<string, IRecommender>(StringComparer.Ordinal)
        {
            [ServingModel.Main] = Fit($"als:factors=8,iterations=8,seed={seed}"),
            ["item-knn"] = Fit("item-knn:neighbors=20"),
            ["sequence"] = Fit("sequence"),
            ["content"] = Fit("content"),
            ["popularity"] = Fit("popularity"),
            ["trending"] = Fit("trending"),
        };
        var last = Events.Max(e => e.Timestamp.ToUnixTimeMilliseconds());
        var info = new ModelVersionInfo(version, "als:factors=8", components[ServingModel.Main].Options, Events.Min(e => e.Timestamp.ToUnixTimeMilliseconds()), last,
            Events.Count, new Dictionary<string, double>(), DateTimeOffset.UtcNow, "test");
        return new ServingModel(info, users, items, components);
    }

    public static void Activate(AttuneFactory factory, ServingModel model) =>
        factory.Services.GetRequiredService<ActiveModel>().Activate(model);

    /// <summary>Creates a started server with the shop loaded and a model trained and active.</summary>
    public static async Task<(ServingShop Shop, ServingModel Model)> StartAsync(AttuneFactory factory, string version = "v1")
    {
        var shop = new ServingShop();
        _ = factory.CreateClient();
        await shop.LoadAsync(factory);
        var model = shop.Train(version);
        Activate(factory, model);
        return (shop, model);
    }

    private static string Title(string category) => char.ToUpperInvariant(category[0]) + category[1..];
}

/// <summary>A recommendation response as JSON, with helpers the tests read it through.</summary>
internal sealed record RecResponse(JsonElement Root)
{
    public string RecommendationId => Root.GetProperty("recommendationId").GetString()!;

    public string? ModelVersion => Root.GetProperty("modelVersion").GetString();

    public bool Personalized => Root.GetProperty("personalized").GetBoolean();

    public string? Fallback => Root.TryGetProperty("fallback", out var f) ? f.GetString() : null;

    public string? NextCursor => Root.GetProperty("nextCursor").GetString();

    public IReadOnlyList<JsonElement> Items => [.. Root.GetProperty("items").EnumerateArray()];

    public IReadOnlyList<string> ItemIds => [.. Items.Select(i => i.GetProperty("itemId").GetString()!)];

    public static async Task<RecResponse> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url} -> {(int)response.StatusCode}: {text}");
        return new RecResponse(JsonDocument.Parse(text).RootElement.Clone());
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
}
