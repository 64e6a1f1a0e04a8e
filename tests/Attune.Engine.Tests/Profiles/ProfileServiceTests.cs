using System.Text.Json;
using Attune.Core;
using Attune.Engine.Profiles;
using static Attune.Engine.Tests.Profiles.ProfileFixtures;

namespace Attune.Engine.Tests.Profiles;

public sealed class ProfileServiceTests
{
    private static readonly DateTimeOffset AsOf = T0.AddDays(160);

    /// <remarks>
    /// Fully shuffled arrival is exact when the quality checks remember the whole span (CheckRetention); with the
    /// default one-hour memory, arrival may lag by less than that, which is what a live feed does.
    /// </remarks>
    [Theory]
    [InlineData(30.0 * 24, 1, true)]
    [InlineData(3.0 * 24, 2, true)]
    [InlineData(1.0, 3, true)]
    [InlineData(30.0 * 24, 4, false)]
    [InlineData(1.0, 5, false)]
    public void Live_profiles_equal_a_rebuild_from_the_log_whatever_the_arrival_order(double halfLifeHours, int seed, bool fullShuffle)
    {
        // Arrange: random behaviour, exact repeats, a crawler, and events arriving out of order.
        var catalog = Catalog();
        var users = new[] { new User("u3", Consent: new Consent(new ConsentChoice(false, T0), new ConsentChoice(false, null))) };
        var events = RandomEvents(users: 40, events: 3000, seed);
        events.AddRange(events.Take(50).ToList());
        events.Add(View("crawler", "i1", T0.AddDays(3)) with { Properties = new Dictionary<string, JsonElement> { ["user_agent"] = JsonSerializer.SerializeToElement("Googlebot/2.1") } });
        events.Add(View("crawler", "i2", T0.AddDays(2)));
        var options = ProfileOptions(TimeSpan.FromHours(halfLifeHours));
        var quality = fullShuffle ? Quality() with { CheckRetention = TimeSpan.FromDays(7) } : Quality();
        var rng = new Random(seed);
        var arrival = fullShuffle
            ? Shuffled(events, seed + 100)
            : [.. events.OrderBy(e => e.Timestamp.AddMinutes(rng.Next(0, 55)))];
        if (fullShuffle)
        {
            // Within the seven-day memory, any order at all.
            arrival = [.. arrival.OrderBy(e => (e.Timestamp - T0).Days / 7)];
        }

        using var live = Service(options, quality);
        using var rebuilt = Service(options, quality);
        live.Rebuild(catalog, users, []);

        // Act
        Feed(live, arrival);
        rebuilt.Rebuild(catalog, users, events.OrderBy(e => e.Timestamp));
        live.RefreshPopulation();
        rebuilt.RefreshPopulation();

        // Assert
        var expected = rebuilt.All(AsOf, includeBots: true).ToDictionary(p => p.UserId);
        var actual = live.All(AsOf, includeBots: true).ToDictionary(p => p.UserId);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.True(expected.Count >= 39);
        foreach (var (id, p) in expected)
        {
            AssertSame(p, actual[id]);
        }

        Assert.True(expected["crawler"].IsBot);
        Assert.False(expected.ContainsKey("u3"));
        Assert.Equal(rebuilt.Quality, live.Quality);
        Assert.True(live.Quality.DuplicatesRemoved >= events.Take(50).Count(e => e.ItemId is not null && e.UserId != "u3"));
    }

    [Fact]
    public void Interest_of_an_event_one_half_life_older_counts_half()
    {
        using var service = Service(ProfileOptions(TimeSpan.FromDays(30)));
        service.Rebuild([Item("s", ["sports"]), Item("b", ["books"])], [], [View("u", "s", T0), View("u", "b", T0.AddDays(30))]);

        var p = service.Get("u", T0.AddDays(45))!;

        Assert.Equal(2.0 / 3, p.Interest("category", "books"), 12);
        Assert.Equal(1.0 / 3, p.Interest("category", "sports"), 12);
        Assert.Equal("books", p.Interests["category"].Top[0].Key);
        Assert.Equal(1.5, p.Interests["category"].Strength, 12);
        Assert.Equal(0, p.Interest("category", "garden"));
    }

    [Fact]
    public void Interests_cover_tags_and_item_properties_and_keep_the_top_n()
    {
        var options = ProfileOptions() with { TopInterests = 2 };
        using var service = Service(options);
        var items = new[] { Item("a", ["x"], ["t1"], "acme"), Item("b", ["y"], ["t2"], "acme"), Item("c", ["z"], ["t2"], "globex") };
        service.Rebuild(items, [], [View("u", "a", T0), View("u", "b", T0), View("u", "c", T0), View("u", "c", T0, EventTypes.Purchase, 5)]);

        var p = service.Get("u", T0)!;

        Assert.Equal(2, p.Interests["category"].Top.Count);
        Assert.Equal("z", p.Interests["category"].Top[0].Key);
        Assert.Equal(6.0 / 8, p.Interest("category", "z"), 12);
        Assert.Equal(2.0 / 8, p.Interest("brand", "acme"), 12);
        Assert.Equal(7.0 / 8, p.Interest("tag", "t2"), 12);
    }

    [Fact]
    public void A_catalog_change_shows_in_interests_at_once()
    {
        using var service = Service();
        service.Rebuild([Item("a", ["sports"])], [], [View("u", "a", T0)]);

        service.OnItemsUpserted([Item("a", ["garden"])]);

        var p = service.Get("u", T0)!;
        Assert.Equal(1.0, p.Interest("category", "garden"));
        Assert.Equal(0, p.Interest("category", "sports"));
    }

    [Fact]
    public void Dislikes_lower_an_interest_and_never_make_it_negative()
    {
        using var service = Service();
        service.Rebuild([Item("a", ["sports"]), Item("b", ["books"])], [], [View("u", "a", T0), View("u", "b", T0), View("u", "a", T0.AddMinutes(1), EventTypes.Dislike)]);

        var p = service.Get("u", T0)!;

        Assert.Equal(1.0, p.Interest("category", "books"));
        Assert.Equal(0, p.Interest("category", "sports"));
    }

    [Fact]
    public void Sessions_split_on_the_inactivity_gap_even_when_events_arrive_out_of_order()
    {
        using var service = Service();
        service.Rebuild([], [], []);

        service.OnAppended([View("u", "a", T0), View("u", "a", T0.AddMinutes(40))]);
        var before = service.Get("u", T0)!.Sessions;
        service.OnAppended([View("u", "b", T0.AddMinutes(20))]);
        var after = service.Get("u", T0)!.Sessions;
        service.OnAppended([View("u", "c", T0.AddHours(5))]);

        Assert.Equal(2, before);
        Assert.Equal(1, after);
        Assert.Equal(2, service.Get("u", T0)!.Sessions);
        Assert.Equal(2, service.Quality.Sessions);
    }

    [Fact]
    public void Rfm_quintiles_rank_buyers_and_recency_counts_from_the_last_order()
    {
        using var service = Service();
        var events = new List<Event>();
        for (var i = 0; i < 10; i++)
        {
            for (var k = 0; k <= i; k++)
            {
                events.Add(View($"b{i}", "x", T0.AddDays(i).AddHours(k), EventTypes.Purchase, 10));
            }
        }

        events.Add(View("browser", "x", T0));
        service.Rebuild([], [], events);

        var asOf = T0.AddDays(20);
        var low = service.Get("b0", asOf)!;
        var high = service.Get("b9", asOf)!;
        var none = service.Get("browser", asOf)!;

        Assert.Equal((1, 1, 1), (low.Rfm.R, low.Rfm.F, low.Rfm.M));
        Assert.Equal((5, 5, 5), (high.Rfm.R, high.Rfm.F, high.Rfm.M));
        Assert.Equal("555", high.Rfm.Cell);
        Assert.Equal(3, service.Get("b5", asOf)!.Rfm.M);
        Assert.Equal(10, high.OrderCount);
        Assert.Equal(100, high.Revenue);
        Assert.Equal(10, high.AverageOrderValue);
        Assert.Equal(20 - 9 - (9.0 / 24), high.Rfm.RecencyDays!.Value, 9);
        Assert.Equal(RfmScores.None, none.Rfm);
        Assert.Null(none.AverageOrderValue);
    }

    [Theory]
    [InlineData(5, 3, LifecycleStage.New)]
    [InlineData(60, 3, LifecycleStage.Active)]
    [InlineData(60, 30, LifecycleStage.Active)]
    [InlineData(60, 30.5, LifecycleStage.AtRisk)]
    [InlineData(200, 90.5, LifecycleStage.Lapsed)]
    [InlineData(400, 181, LifecycleStage.Churned)]
    public void Lifecycle_stage_follows_the_configured_thresholds(double firstSeenDaysAgo, double lastSeenDaysAgo, LifecycleStage expected)
    {
        using var service = Service();
        var asOf = T0.AddDays(500);
        service.Rebuild([], [], [View("u", "a", asOf.AddDays(-firstSeenDaysAgo)), View("u", "b", asOf.AddDays(-lastSeenDaysAgo))]);

        Assert.Equal(expected, service.Get("u", asOf)!.Lifecycle);
    }

    [Fact]
    public void Engagement_fields_count_days_dwell_channel_and_device()
    {
        using var service = Service();
        service.Rebuild([], [], [
            View("u", "a", T0, channel: "app", device: "mobile"),
            View("u", "a", T0.AddHours(1), EventTypes.Dwell, 30, "app", "mobile"),
            View("u", "b", T0.AddDays(1), EventTypes.Dwell, 10, "web", "desktop"),
        ]);

        var p = service.Get("u", T0.AddDays(2))!;

        Assert.Equal(3, p.EventCount);
        Assert.Equal(2, p.ActiveDays);
        Assert.Equal(20, p.AverageDwellSeconds);
        Assert.Equal("app", p.PreferredChannel);
        Assert.Equal("mobile", p.PreferredDevice);
        Assert.Equal(T0, p.FirstSeen);
        Assert.Equal(T0.AddDays(1), p.LastSeen);
    }

    [Fact]
    public void A_user_who_refused_personalization_gets_no_profile_and_their_events_are_not_profiled()
    {
        var predictions = new MemoryPredictions();
        using var service = Service(predictions: predictions);
        var refused = new User("u", Consent: new Consent(new ConsentChoice(false, T0), new ConsentChoice(true, T0)));
        service.Rebuild([Item("a", ["sports"])], [refused], [View("u", "a", T0)]);

        service.OnAppended([View("u", "a", T0.AddMinutes(1))]);
        var stored = service.SetPrediction("u", "purchase_7d", 0.9, "m1", T0);

        Assert.Null(service.Get("u"));
        Assert.True(service.IsSuppressed("u"));
        Assert.False(stored);
        Assert.Empty(predictions.Rows);
        Assert.Empty(service.All(includeBots: true));
        Assert.Equal(2, service.Quality.ConsentSkipped);
        Assert.Equal(0, service.Quality.EventsProfiled);
    }

    [Fact]
    public void Withdrawing_consent_drops_the_profile_and_its_predictions()
    {
        var predictions = new MemoryPredictions();
        using var service = Service(predictions: predictions);
        service.Rebuild([Item("a", ["sports"])], [], [View("u", "a", T0)]);
        service.SetPrediction("u", "purchase_7d", 0.9, "m1", T0);

        service.OnUserChanged(new User("u", Consent: new Consent(new ConsentChoice(false, T0), new ConsentChoice(false, null))));

        Assert.Null(service.Get("u"));
        Assert.Empty(predictions.Rows);
        Assert.Equal(0, service.Quality.EventsProfiled);
        var w = new ArrayBufferWriterJson();
        service.WriteExport("u", w.Writer);
        Assert.Equal("null", w.Text());
    }

    [Fact]
    public async Task Erasure_removes_the_profile_and_its_predictions()
    {
        var predictions = new MemoryPredictions();
        using var service = Service(predictions: predictions);
        service.Rebuild([], [], [View("u", "a", T0), View("v", "a", T0)]);
        service.SetPrediction("u", "churn_30d", 0.2, "m1", T0);
        service.SetPrediction("v", "churn_30d", 0.3, "m1", T0);

        await service.EraseAsync("u", CancellationToken.None);

        Assert.Null(service.Get("u"));
        Assert.NotNull(service.Get("v"));
        Assert.Equal([("v", "churn_30d")], predictions.Rows.Keys.ToArray());
        Assert.Equal(1, service.Quality.EventsProfiled);
    }

    [Fact]
    public void A_user_agent_naming_a_crawler_flags_the_user_as_a_bot_with_an_empty_profile()
    {
        using var service = Service();
        service.Rebuild([Item("a", ["sports"])], [], [View("u", "a", T0), View("u", "a", T0.AddMinutes(5))]);

        service.OnAppended([View("u", "a", T0.AddMinutes(10), device: "HeadlessChrome")]);
        var p = service.Get("u", T0)!;

        Assert.True(p.IsBot);
        Assert.Equal(0, p.EventCount);
        Assert.Empty(p.Interests["category"].Top);
        Assert.Empty(service.All(T0));
        Assert.Single(service.All(T0, includeBots: true));
        var q = service.Quality;
        Assert.Equal((1L, 3L, 0L, 0L), (q.BotUsers, q.BotEvents, q.EventsProfiled, q.Sessions));
    }

    [Fact]
    public void Too_many_events_in_one_minute_flag_a_bot_but_a_busy_human_is_not_flagged()
    {
        using var service = Service(quality: Quality(maxPerMinute: 60));
        var bot = Enumerable.Range(0, 61).Select(i => View("bot", $"i{i}", T0.AddSeconds(i * 0.5))).ToList();
        var human = Enumerable.Range(0, 120).Select(i => View("human", $"i{i}", T0.AddSeconds(i * 2))).ToList();

        service.Rebuild([], [], [.. bot, .. human]);

        Assert.True(service.Get("bot", T0)!.IsBot);
        Assert.False(service.Get("human", T0)!.IsBot);
        Assert.Equal(120, service.Get("human", T0)!.EventCount);
        Assert.Equal(61, service.Quality.BotEvents);
    }

    [Fact]
    public void Repeats_of_the_same_user_item_and_type_within_the_window_count_once()
    {
        using var service = Service();
        service.Rebuild([], [], []);

        service.OnAppended([
            View("u", "a", T0), View("u", "a", T0.AddMilliseconds(500)), View("u", "a", T0.AddMilliseconds(1500)),
            View("u", "a", T0.AddMilliseconds(700), EventTypes.Click), View("u", "b", T0), View("u", "a", T0.AddSeconds(10)),
        ]);

        Assert.Equal(4, service.Get("u", T0)!.EventCount);
        Assert.Equal(2, service.Quality.DuplicatesRemoved);
        Assert.Equal(6, service.Quality.EventsSeen);
    }

    [Fact]
    public void Predictions_are_kept_persisted_and_bound_as_fields()
    {
        var predictions = new MemoryPredictions();
        using var service = Service(predictions: predictions);
        service.Rebuild([], [], [View("u", "a", T0)]);

        var stored = service.SetPrediction("u", "upsell_14d", 0.7, "gbdt-3", T0.AddDays(1));
        var unknown = service.SetPrediction("nobody", "upsell_14d", 0.7, "gbdt-3", T0);

        Assert.True(stored);
        Assert.False(unknown);
        Assert.Equal(new PredictedScore(0.7, "gbdt-3", T0.AddDays(1)), service.Get("u")!.Predictions["upsell_14d"]);
        Assert.Single(predictions.Rows);
        Assert.Contains("upsell_14d", service.PredictionNames);
        Assert.True(service.Binder.CompilePredicate("predicted.upsell_14d > 0.5").Matches(service.Get("u")!));
        Assert.Throws<ArgumentException>(() => service.SetPrediction("u", "bad.name", 0.5, "m", T0));
        Assert.Throws<ArgumentException>(() => service.SetPrediction("u", "nan", double.NaN, "m", T0));
    }

    [Fact]
    public void Predictions_survive_a_rebuild_through_the_store()
    {
        var predictions = new MemoryPredictions();
        using var service = Service(predictions: predictions);
        service.Rebuild([], [], [View("u", "a", T0)]);
        service.SetPrediction("u", "purchase_7d", 0.4, "lr-1", T0);

        using var restarted = Service(predictions: predictions);
        restarted.Rebuild([], [], [View("u", "a", T0)]);

        Assert.Equal(0.4, restarted.Get("u")!.Predicted("purchase_7d"));
    }

    [Fact]
    public void Change_notifications_name_the_users_whose_profiles_changed()
    {
        using var service = Service();
        service.Rebuild([], [], []);
        var seen = new List<string>();
        using var subscription = service.Subscribe(ids => { lock (seen) { seen.AddRange(ids); } });

        service.OnAppended([View("a", "x", T0), View("b", "x", T0), View("a", "y", T0)]);
        service.PublishChanges();

        lock (seen)
        {
            Assert.Equal(["a", "b"], seen.Order());
        }
    }

    [Fact]
    public void Feature_vectors_have_one_value_per_named_feature()
    {
        using var service = Service();
        service.Rebuild(Catalog(), [], RandomEvents(10, 300, 5));
        var profiles = service.All(AsOf).ToList();

        var features = ProfileFeatures.Create(profiles, keysPerField: 3, ["purchase_7d"]);
        var v = features.Vector(profiles[0]);

        Assert.Equal(features.Names.Count, v.Length);
        Assert.Equal(ProfileFeatures.FixedNames.Count + 9 + 1, features.Count);
        Assert.Contains("interests.category[sports]", features.Names);
        Assert.All(v, x => Assert.True(float.IsFinite(x)));
        Assert.Equal(profiles[0].Rfm.Frequency > 0 ? 1f : 0f, v[features.Names.ToList().IndexOf("has_orders")]);
    }

    private sealed class ArrayBufferWriterJson
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new();

        public ArrayBufferWriterJson() => Writer = new Utf8JsonWriter(_buffer);

        public Utf8JsonWriter Writer { get; }

        public string Text()
        {
            Writer.Flush();
            return System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }
    }
}
