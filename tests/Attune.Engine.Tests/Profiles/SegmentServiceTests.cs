using Attune.Core;
using Attune.Engine.Profiles;
using Attune.Engine.Segments;
using Attune.TestSupport;
using static Attune.Engine.Tests.Profiles.ProfileFixtures;

namespace Attune.Engine.Tests.Profiles;

public sealed class SegmentServiceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FixedClock _clock = new(T0.AddDays(10));
    private readonly ProfileDatabase _db;
    private readonly ProfileService _profiles;
    private readonly SegmentService _segments;

    public SegmentServiceTests()
    {
        _db = ProfileDatabase.Open(_dir.Path);
        _profiles = Service(clock: _clock, predictions: _db);
        _profiles.Rebuild(
            [Item("s1", ["sports"]), Item("s2", ["sports", "outdoor"]), Item("b1", ["books"])],
            [new User("quiet", new Dictionary<string, System.Text.Json.JsonElement> { ["country"] = System.Text.Json.JsonSerializer.SerializeToElement("DE") })],
            [
                // fan: recent sports buyer, two orders
                View("fan", "s1", T0.AddDays(9), EventTypes.Purchase, 50),
                View("fan", "s2", T0.AddDays(8), EventTypes.Purchase, 30),
                // reader: books only, one old order
                View("reader", "b1", T0, EventTypes.Purchase, 20),
                View("reader", "b1", T0.AddDays(1)),
                // browser: sports views, never bought
                View("browser", "s1", T0.AddDays(9)),
            ]);
        _profiles.SetPrediction("fan", "purchase_7d", 0.8, "m1", T0);
        _profiles.SetPrediction("reader", "purchase_7d", 0.5, "m1", T0);
        _segments = new SegmentService(_profiles, _db, _profiles.Options, _clock);
    }

    public void Dispose()
    {
        _segments.Dispose();
        _profiles.Dispose();
        _db.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("""rfm.recency_days <= 30 and interests.category["sports"] > 0.3 and predicted.purchase_7d > 0.5""", "fan")]
    [InlineData("rfm.recency_days <= 30", "fan,reader")]
    [InlineData("not rfm.recency_days <= 30", "browser,quiet")]
    [InlineData("rfm.recency_days == null", "browser,quiet")]
    [InlineData("""interests.category["sports"] > 0""", "browser,fan")]
    [InlineData("""interests.category["sports"] == null""", "quiet,reader")]
    [InlineData("""interests.category contains "books" """, "reader")]
    [InlineData("len(interests.category) == 0", "quiet")]
    [InlineData("predicted.purchase_7d > 0.5", "fan")]
    [InlineData("predicted.purchase_7d >= 0.5", "fan,reader")]
    [InlineData("predicted.churn_30d > 0 or predicted.churn_30d <= 0", "")]
    [InlineData("orders >= 2", "fan")]
    [InlineData("orders > 2", "")]
    [InlineData("revenue >= 20 and revenue < 80", "reader")]
    [InlineData("""attributes.country == "DE" """, "quiet")]
    [InlineData("""lifecycle == "new" and events == 0""", "quiet")]
    [InlineData("days_since(last_seen) <= 1", "browser,fan")]
    public void Rules_select_the_profiles_they_describe_including_missing_values_and_boundaries(string rule, string expected)
    {
        var info = _segments.Save("s", rule, null);

        var members = _segments.Members("s", null, 100)!.UserIds;

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), members);
        Assert.Equal(members.Count, info.Size);
        Assert.Equal(members.Count, _segments.Preview(rule).Size);
    }

    [Theory]
    [InlineData("rfm.recency_dayz <= 30", 1, "did you mean 'rfm.recency_days'")]
    [InlineData("orders >= \"many\"", 11, "cannot be compared")]
    [InlineData("interests.category.sports > 0.3", 1, "look up a key")]
    [InlineData("orders + 1", 1, "condition")]
    [InlineData("orders >=", 10, "")]
    [InlineData("", 0, "rule is required")]
    public void A_bad_rule_is_refused_naming_the_field_and_the_column(string rule, int column, string fragment)
    {
        var ex = Assert.Throws<SegmentException>(() => _segments.Save("s", rule, null));

        Assert.Equal("rule", ex.Field);
        Assert.Equal(column == 0 ? null : column, ex.Column);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        Assert.Empty(_segments.List());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void A_bad_name_is_refused(string? name)
    {
        var ex = Assert.Throws<SegmentException>(() => _segments.Save(name, "orders > 0", null));

        Assert.Equal("name", ex.Field);
    }

    [Fact]
    public void Membership_follows_profiles_as_events_arrive()
    {
        _segments.Save("buyers", "orders >= 1", null);
        Assert.False(_segments.IsMember("buyers", "browser"));

        _profiles.OnAppended([View("browser", "s1", T0.AddDays(9).AddHours(1), EventTypes.Purchase, 12)]);
        _profiles.PublishChanges();

        Assert.True(_segments.IsMember("buyers", "browser"));
        Assert.Equal(["buyers"], _segments.SegmentsOf("browser"));
    }

    [Fact]
    public async Task Erased_and_refusing_users_leave_their_segments()
    {
        _segments.Save("buyers", "orders >= 1", null);

        await _profiles.EraseAsync("fan", CancellationToken.None);
        _profiles.OnUserChanged(new User("reader", Consent: new Consent(new ConsentChoice(false, T0), new ConsentChoice(false, null))));
        _profiles.PublishChanges();

        Assert.Equal(0, _segments.Get("buyers")!.Size);
    }

    [Fact]
    public void Time_dependent_rules_move_with_the_batch_evaluation()
    {
        _segments.Save("idle", "days_since_seen > 5", null);
        Assert.Equal(["reader"], _segments.Members("idle", null, 10)!.UserIds);

        _clock.Now = T0.AddDays(20);
        _segments.EvaluateAll();

        Assert.Equal(["browser", "fan", "reader"], _segments.Members("idle", null, 10)!.UserIds);
    }

    [Fact]
    public void Members_are_paged_in_id_order_with_a_cursor()
    {
        _segments.Save("all", "events >= 0", null);

        var first = _segments.Members("all", null, 3)!;
        var second = _segments.Members("all", first.NextCursor, 3)!;

        Assert.Equal(["browser", "fan", "quiet"], first.UserIds);
        Assert.Equal(["reader"], second.UserIds);
        Assert.Null(second.NextCursor);
        Assert.Equal(4, first.Total);
        Assert.Null(_segments.Members("nope", null, 3));
    }

    [Fact]
    public void Export_writes_one_csv_row_per_member()
    {
        _segments.Save("buyers", "orders >= 1", "people who bought");
        var csv = new StringWriter();

        Assert.True(_segments.ExportCsv("buyers", csv));

        var lines = csv.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal("user_id,lifecycle,orders,revenue,recency_days,rfm_cell,last_seen", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("fan,new,2,80,1,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Definitions_and_size_history_persist_across_restarts()
    {
        _segments.Save("buyers", "orders>=1", "bought");
        _clock.Now = T0.AddDays(11);
        _segments.EvaluateAll();

        using var reopened = new SegmentService(_profiles, _db, _profiles.Options, _clock);
        reopened.EvaluateAll();

        var info = Assert.Single(reopened.List());
        Assert.Equal("orders >= 1", info.Definition.Rule);
        Assert.Equal("bought", info.Definition.Description);
        var history = reopened.History("buyers")!;
        Assert.Equal(2, history.Count);
        Assert.All(history, h => Assert.Equal(2, h.Size));
        Assert.True(reopened.Delete("buyers"));
        Assert.Null(reopened.History("buyers"));
    }

    [Fact]
    public void Counting_a_rule_over_a_million_profiles_is_one_delegate_call_each()
    {
        var profile = _profiles.Get("fan")!;
        var predicate = _profiles.Binder.CompilePredicate("""orders >= 2 and interests.category["sports"] > 0.3""").AsFunc();
        var many = Enumerable.Repeat(profile, 1000).ToArray();

        Assert.Equal(1000, SegmentService.Count(predicate, many));
    }
}
