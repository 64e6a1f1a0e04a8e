using Attune.Core;
using Attune.Datasets.Synthetic;

namespace Attune.Datasets.Tests;

public sealed class SyntheticShopTests
{
    private static readonly SyntheticShopOptions Small = new(Users: 300, Items: 200, Events: 20_000, Seed: 7);

    [Fact]
    public void Same_seed_gives_the_same_catalog_users_and_events()
    {
        var a = SyntheticShop.Generate(Small);
        var b = SyntheticShop.Generate(Small);

        Assert.Equal(a.Items.Select(i => (i.Id, i.Title, i.Price, i.Available)), b.Items.Select(i => (i.Id, i.Title, i.Price, i.Available)));
        Assert.Equal(a.Tastes.Select(t => string.Join('|', t.PreferredCategories)), b.Tastes.Select(t => string.Join('|', t.PreferredCategories)));
        Assert.Equal(a.Events().Take(5_000), b.Events().Take(5_000));
    }

    [Fact]
    public void Different_seeds_give_different_shops()
    {
        var a = SyntheticShop.Generate(Small);
        var b = SyntheticShop.Generate(Small with { Seed = 8 });

        Assert.NotEqual(a.Events().Take(200).Select(e => e.ItemId), b.Events().Take(200).Select(e => e.ItemId));
    }

    [Fact]
    public void Generates_exactly_the_requested_events_in_time_order_inside_the_window_with_unique_ids()
    {
        var shop = SyntheticShop.Generate(Small);

        var events = shop.Events().ToList();

        Assert.Equal(Small.Events, events.Count);
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        var end = Small.EffectiveStart.AddDays(Small.Days + 1);
        Assert.All(events, e => Assert.InRange(e.Timestamp, Small.EffectiveStart, end));
        var sessionsInOrder = events.GroupBy(e => e.SessionId).All(g => g.Select(e => e.Timestamp).SequenceEqual(g.Select(e => e.Timestamp).Order()));
        Assert.True(sessionsInOrder);
    }

    [Fact]
    public void Users_mostly_view_their_planted_categories()
    {
        var shop = SyntheticShop.Generate(Small);
        var itemCategory = shop.Items.ToDictionary(i => i.Id, i => i.Categories[1]);
        var preferred = shop.Tastes.ToDictionary(t => t.UserId, t => t.PreferredCategories);

        var views = shop.Events().Where(e => e.Type == EventTypes.View).ToList();
        var inPreferred = views.Count(e => preferred[e.UserId].Contains(itemCategory[e.ItemId!]));

        // 18 subcategories, 2 preferred: chance alone would give about 11 %.
        var share = inPreferred / (double)views.Count;
        Assert.InRange(share, 0.6, 0.95);
    }

    [Fact]
    public void Funnel_narrows_from_views_to_carts_to_purchases_and_purchases_follow_carts()
    {
        var shop = SyntheticShop.Generate(Small);

        var events = shop.Events().ToList();
        var byType = events.GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count());

        Assert.True(byType[EventTypes.View] > 5 * byType[EventTypes.AddToCart]);
        Assert.True(byType[EventTypes.AddToCart] > byType[EventTypes.Purchase]);
        Assert.True(byType[EventTypes.Purchase] > 0);
        var carted = events.Where(e => e.Type == EventTypes.AddToCart).Select(e => (e.SessionId, e.ItemId)).ToHashSet();
        Assert.All(events.Where(e => e.Type == EventTypes.Purchase), e => Assert.Contains((e.SessionId, e.ItemId), carted));
    }

    [Fact]
    public void Item_popularity_and_user_activity_are_heavy_tailed()
    {
        var shop = SyntheticShop.Generate(Small);
        var events = shop.Events().ToList();

        var itemCounts = events.GroupBy(e => e.ItemId).Select(g => g.Count()).OrderDescending().ToList();
        var userCounts = events.GroupBy(e => e.UserId).Select(g => g.Count()).OrderDescending().ToList();

        var topItemShare = itemCounts.Take(itemCounts.Count / 10).Sum() / (double)events.Count;
        var topUserShare = userCounts.Take(userCounts.Count / 10).Sum() / (double)events.Count;
        Assert.True(topItemShare > 0.3, $"top 10% items have {topItemShare:P0} of events");
        Assert.True(topUserShare > 0.25, $"top 10% users have {topUserShare:P0} of events");
    }

    [Fact]
    public void Prices_are_log_normal_around_each_subcategory_median()
    {
        var shop = SyntheticShop.Generate(new SyntheticShopOptions(Items: 3_000, Events: 0));

        var laptops = shop.Items.Where(i => i.Categories[1] == "electronics.laptops").Select(i => i.Price!.Value).Order().ToList();
        var books = shop.Items.Where(i => i.Categories[1] == "books.fiction").Select(i => i.Price!.Value).Order().ToList();

        Assert.InRange(laptops[laptops.Count / 2], 700, 1_150);
        Assert.InRange(books[books.Count / 2], 11, 20);
        Assert.All(shop.Items, i => Assert.True(i.Price > 0 && i.Tags.Count >= 2 && i.Text!.Length > 0));
        Assert.InRange(shop.Items.Count(i => !i.Available) / 3000.0, 0.02, 0.09);
    }

    [Fact]
    public void Invalid_options_name_the_option()
    {
        var ex = Assert.Throws<ArgumentException>(() => SyntheticShop.Generate(new SyntheticShopOptions(TasteStrength: 1.5)));

        Assert.Contains("TasteStrength", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_written_as_csv_read_back_through_the_csv_format_identically()
    {
        using var dir = new Attune.TestSupport.TempDirectory();
        var shop = SyntheticShop.Generate(Small with { Events = 2_000 });
        var path = Path.Combine(dir.Path, "events.csv");

        shop.WriteEventsCsv(path);
        var read = DatasetFormats.Read("csv", path).ToList();

        Assert.Empty(read.Rejected());
        Assert.Equal(shop.Events(), read.Events());
    }

    [Fact]
    public void Options_ToString_lists_every_parameter()
    {
        var text = Small.ToString();

        foreach (var p in typeof(SyntheticShopOptions).GetConstructors()[0].GetParameters())
        {
            Assert.Contains(char.ToLowerInvariant(p.Name![0]) + p.Name[1..] + "=", text, StringComparison.Ordinal);
        }
    }
}
