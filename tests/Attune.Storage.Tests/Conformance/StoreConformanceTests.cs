using System.Text.Json;
using Attune.Core;

namespace Attune.Storage.Tests.Conformance;

/// <summary>
/// The behaviour every storage provider must show. A provider subclasses this with a fresh, empty store per
/// test; nothing here knows which database is underneath.
/// </summary>
public abstract partial class StoreConformanceTests : IAsyncLifetime
{
    private readonly List<IAttuneStore> _opened = [];

    /// <summary>A new, empty, migrated store that no other test uses.</summary>
    protected abstract Task<IAttuneStore> CreateStoreAsync();

    /// <summary>Disposes <paramref name="store"/> and opens the same database again.</summary>
    protected abstract Task<IAttuneStore> ReopenAsync(IAttuneStore store);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _opened)
        {
            await s.DisposeAsync();
        }
    }

    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected static Event Ev(string? id, string user, string? item, long offsetMs = 0, string type = EventTypes.View, double? value = null) =>
        new(id, user, item, type, value, T0.AddMilliseconds(offsetMs));

    protected async Task<IAttuneStore> NewStoreAsync()
    {
        var s = await CreateStoreAsync();
        _opened.Add(s);
        return s;
    }

    protected async Task<IAttuneStore> ReopenTrackedAsync(IAttuneStore store)
    {
        _opened.Remove(store);
        var s = await ReopenAsync(store);
        _opened.Add(s);
        return s;
    }

    protected static async Task<List<Event>> ReadUserAsync(IAttuneStore store, string user)
    {
        var list = new List<Event>();
        await foreach (var e in store.Events.ReadUserAsync(user))
        {
            list.Add(e);
        }

        return list;
    }

    [Fact]
    public async Task Append_new_events_are_all_accepted()
    {
        var store = await NewStoreAsync();

        var result = await store.Events.AppendAsync([Ev("e1", "u1", "i1"), Ev("e2", "u1", "i2"), Ev(null, "u2", null)]);

        Assert.Equal(new AppendResult(3, 0), result);
        Assert.Equal(3, (await store.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Append_empty_batch_accepts_nothing()
    {
        var store = await NewStoreAsync();

        var result = await store.Events.AppendAsync([]);

        Assert.Equal(new AppendResult(0, 0), result);
        Assert.Null(result.DuplicateIndices);
    }

    [Fact]
    public async Task Append_event_with_known_id_is_a_duplicate_and_not_stored_again()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("e1", "u1", "i1"), Ev("e2", "u1", "i2")]);

        var result = await store.Events.AppendAsync([Ev("e2", "u1", "i2", 5), Ev("e3", "u1", "i3", 6)]);

        Assert.Equal(new AppendResult(1, 1), result);
        Assert.Equal([0], result.DuplicateIndices!);
        Assert.Equal(["e1", "e2", "e3"], (await ReadUserAsync(store, "u1")).Select(e => e.Id));
    }

    [Fact]
    public async Task Append_id_repeated_within_one_batch_is_stored_once()
    {
        var store = await NewStoreAsync();

        var result = await store.Events.AppendAsync([Ev("e1", "u1", "i1"), Ev("e1", "u1", "i1"), Ev("e1", "u2", "i9")]);

        Assert.Equal(new AppendResult(1, 2), result);
        Assert.Equal([1, 2], result.DuplicateIndices!);
        Assert.Single(await ReadUserAsync(store, "u1"));
        Assert.Equal(1, (await store.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Append_events_without_id_are_always_stored()
    {
        var store = await NewStoreAsync();
        var e = Ev(null, "u1", "i1");

        await store.Events.AppendAsync([e, e]);
        var second = await store.Events.AppendAsync([e]);

        Assert.Equal(new AppendResult(1, 0), second);
        Assert.Equal(3, (await ReadUserAsync(store, "u1")).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\nid")]
    public async Task Append_batch_with_an_invalid_event_writes_nothing(string badUser)
    {
        var store = await NewStoreAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.Events.AppendAsync([Ev("e1", "u1", "i1"), Ev("e2", badUser, "i1")]));

        Assert.Contains("events[1]", error.Message, StringComparison.Ordinal);
        Assert.Empty(await ReadUserAsync(store, "u1"));
        Assert.Equal(0, (await store.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Append_non_finite_value_is_rejected()
    {
        var store = await NewStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.Events.AppendAsync([Ev("e1", "u1", "i1", value: double.NaN)]));

        Assert.Equal(0, (await store.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Concurrent_appends_from_many_tasks_are_all_visible()
    {
        var store = await NewStoreAsync();
        const int tasks = 64, perTask = 40;

        var results = await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var accepted = 0;
            for (var k = 0; k < perTask; k++)
            {
                var r = await store.Events.AppendAsync([Ev($"t{t}-{k}", $"u{t}", $"i{k}", k)]);
                accepted += r.Accepted;
            }

            return accepted;
        })));

        Assert.All(results, r => Assert.Equal(perTask, r));
        Assert.Equal(tasks * perTask, (await store.Events.GetStatsAsync()).Events);
        Assert.Equal(tasks * perTask, (await store.Events.ReadSnapshotAsync()).Count);
        Assert.Equal(perTask, (await ReadUserAsync(store, "u17")).Count);
    }

    [Fact]
    public async Task Concurrent_appends_of_the_same_ids_store_each_id_once()
    {
        var store = await NewStoreAsync();
        var batch = Enumerable.Range(0, 100).Select(k => Ev($"e{k}", "u1", $"i{k}", k)).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await store.Events.AppendAsync(batch))));

        Assert.Equal(100, results.Sum(r => r.Accepted));
        Assert.Equal(15 * 100, results.Sum(r => r.Duplicates));
        Assert.Equal(100, (await ReadUserAsync(store, "u1")).Count);
    }

    [Fact]
    public async Task ReadUser_returns_events_oldest_first_and_ties_in_arrival_order()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("late", "u1", "i1", 300), Ev("early", "u1", "i2", 100)]);
        await store.Events.AppendAsync([Ev("tie-a", "u1", "i3", 200), Ev("tie-b", "u1", "i4", 200), Ev("other", "u2", "i1", 150)]);

        var events = await ReadUserAsync(store, "u1");

        Assert.Equal(["early", "tie-a", "tie-b", "late"], events.Select(e => e.Id));
    }

    [Fact]
    public async Task ReadUser_round_trips_every_field()
    {
        var store = await NewStoreAsync();
        var props = new Dictionary<string, JsonElement>
        {
            ["query"] = JsonSerializer.SerializeToElement("red shoes"),
            ["rank"] = JsonSerializer.SerializeToElement(3),
        };
        var sent = new Event("e1", "u1", "i1", EventTypes.Purchase, 19.99, T0.AddMilliseconds(1234), "s-9",
            new EventContext("web", "mobile", "/cart", "spring", "rec-1"), props);

        await store.Events.AppendAsync([sent, Ev(null, "u1", null, 2000, EventTypes.Search)]);
        var read = await ReadUserAsync(store, "u1");

        var e = read[0];
        Assert.Equal(("e1", "u1", "i1", EventTypes.Purchase, (double?)19.99, sent.Timestamp, "s-9"), (e.Id, e.UserId, e.ItemId, e.Type, e.Value, e.Timestamp, e.SessionId));
        Assert.Equal(sent.Context, e.Context);
        Assert.NotNull(e.Properties);
        Assert.Equal("red shoes", e.Properties["query"].GetString());
        Assert.Equal(3, e.Properties["rank"].GetInt32());
        Assert.Equal((null, null, (double?)null, (EventContext?)null), (read[1].Id, read[1].ItemId, read[1].Value, read[1].Context));
    }

    [Fact]
    public async Task ReadUser_of_an_unknown_user_is_empty()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("e1", "u1", "i1")]);

        Assert.Empty(await ReadUserAsync(store, "nobody"));
    }

    [Fact]
    public async Task Snapshot_holds_item_events_in_time_order_with_dense_indices_by_first_appearance()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync(
        [
            Ev("a", "u2", "i5", 30, EventTypes.Purchase, 9.5),
            Ev("b", "u1", "i7", 10),
            Ev("c", "u1", null, 5, EventTypes.Search),
            Ev("d", "u3", "i5", 20, EventTypes.Rating, 4),
            Ev("e", "u2", "i7", 10, EventTypes.Click),
        ]);

        var s = await store.Events.ReadSnapshotAsync();

        // Log order: by time, ties by arrival ("b" before "e"); the item-less search is left out.
        Assert.Equal(4, s.Count);
        Assert.Equal(["u1", "u2", "u3"], s.UserIds);
        Assert.Equal(["i7", "i5"], s.ItemIds);
        Assert.Equal([0, 1, 2, 1], s.UserIndex);
        Assert.Equal([0, 0, 1, 1], s.ItemIndex);
        Assert.Equal(new long[] { 10, 10, 20, 30 }.Select(ms => T0.ToUnixTimeMilliseconds() + ms), s.TimestampMs);
        Assert.Equal(new[] { EventTypes.View, EventTypes.Click, EventTypes.Rating, EventTypes.Purchase }, s.TypeIndex.Select(t => s.Types[t]));
        Assert.True(float.IsNaN(s.Value[0]));
        Assert.Equal(4f, s.Value[2]);
        Assert.Equal(9.5f, s.Value[3]);
    }

    [Fact]
    public async Task Snapshot_range_is_half_open()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("a", "u1", "i1", 0), Ev("b", "u1", "i2", 100), Ev("c", "u1", "i3", 200)]);
        var t0 = T0.ToUnixTimeMilliseconds();

        var s = await store.Events.ReadSnapshotAsync(new SnapshotRange(t0 + 100, t0 + 200));
        var open = await store.Events.ReadSnapshotAsync(new SnapshotRange(FromMs: t0 + 100));

        Assert.Equal(["i2"], s.ItemIds);
        Assert.Equal(["i2", "i3"], open.ItemIds);
    }

    [Fact]
    public async Task Snapshot_of_an_empty_store_is_empty()
    {
        var store = await NewStoreAsync();

        var s = await store.Events.ReadSnapshotAsync();

        Assert.Equal(0, s.Count);
        Assert.Empty(s.UserIds);
        Assert.Empty(s.ItemIds);
    }

    [Fact]
    public async Task Catalog_upsert_then_get_round_trips_every_field()
    {
        var store = await NewStoreAsync();
        var item = new Item("i1", "Red shoes", ["shoes", "red"], ["sale"], "Comfortable", 49.5, false,
            T0, T0.AddHours(1), new Dictionary<string, JsonElement> { ["brand"] = JsonSerializer.SerializeToElement("Acme") });

        await store.Catalog.UpsertAsync([item]);
        var got = await store.Catalog.GetAsync("i1");

        Assert.NotNull(got);
        Assert.Equal((item.Id, item.Title, item.Text, item.Price, item.Available, item.Created, item.Updated),
            (got.Id, got.Title, got.Text, got.Price, got.Available, got.Created, got.Updated));
        Assert.Equal(item.Categories, got.Categories);
        Assert.Equal(item.Tags, got.Tags);
        Assert.Equal("Acme", got.Properties["brand"].GetString());
    }

    [Fact]
    public async Task Catalog_upsert_replaces_an_existing_item()
    {
        var store = await NewStoreAsync();
        await store.Catalog.UpsertAsync([new Item("i1", "Old", ["a"])]);

        await store.Catalog.UpsertAsync([new Item("i1", "New")]);
        var got = await store.Catalog.GetAsync("i1");

        Assert.Equal("New", got?.Title);
        Assert.Empty(got!.Categories);
    }

    [Fact]
    public async Task Catalog_get_of_unknown_item_is_null()
    {
        var store = await NewStoreAsync();

        Assert.Null(await store.Catalog.GetAsync("missing"));
    }

    [Fact]
    public async Task Catalog_upsert_with_an_invalid_item_writes_nothing()
    {
        var store = await NewStoreAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.Catalog.UpsertAsync([new Item("ok"), new Item("")]));

        Assert.Contains("items[1]", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.Catalog.GetAsync("ok"));
    }

    [Fact]
    public async Task Catalog_list_pages_in_id_order_with_an_exclusive_cursor()
    {
        var store = await NewStoreAsync();
        var ids = new[] { "b", "a", "e", "c", "d" };
        await store.Catalog.UpsertAsync(ids.Select(id => new Item(id)).ToList());

        var p1 = await store.Catalog.ListAsync(null, 2);
        var p2 = await store.Catalog.ListAsync(p1.NextCursor, 2);
        var p3 = await store.Catalog.ListAsync(p2.NextCursor, 2);

        Assert.Equal(["a", "b"], p1.Items.Select(i => i.Id));
        Assert.Equal(["c", "d"], p2.Items.Select(i => i.Id));
        Assert.Equal(["e"], p3.Items.Select(i => i.Id));
        Assert.Null(p3.NextCursor);
    }

    [Fact]
    public async Task Catalog_list_whose_last_page_is_full_has_no_next_cursor()
    {
        var store = await NewStoreAsync();
        await store.Catalog.UpsertAsync([new Item("a"), new Item("b")]);

        var page = await store.Catalog.ListAsync(null, 2);

        Assert.Equal(2, page.Items.Count);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Catalog_delete_removes_the_item_once()
    {
        var store = await NewStoreAsync();
        await store.Catalog.UpsertAsync([new Item("i1"), new Item("i2")]);

        Assert.True(await store.Catalog.DeleteAsync("i1"));
        Assert.False(await store.Catalog.DeleteAsync("i1"));
        Assert.Null(await store.Catalog.GetAsync("i1"));
        Assert.NotNull(await store.Catalog.GetAsync("i2"));
    }

    [Fact]
    public async Task Users_upsert_then_get_round_trips_attributes_and_consent()
    {
        var store = await NewStoreAsync();
        var user = new User("u1",
            new Dictionary<string, JsonElement> { ["tier"] = JsonSerializer.SerializeToElement("gold") },
            new Consent(new ConsentChoice(false, T0), new ConsentChoice(true, T0.AddDays(1))),
            T0, T0.AddDays(2));

        await store.Users.UpsertAsync([user]);
        var got = await store.Users.GetAsync("u1");

        Assert.NotNull(got);
        Assert.Equal(user.Consent, got.Consent);
        Assert.Equal((user.Created, user.Updated), (got.Created, got.Updated));
        Assert.Equal("gold", got.Attributes["tier"].GetString());
        Assert.Null(await store.Users.GetAsync("u2"));
    }

    [Fact]
    public async Task Erase_removes_the_user_record_and_every_event_and_leaves_others_alone()
    {
        var store = await NewStoreAsync();
        await store.Users.UpsertAsync([new User("u1"), new User("u2")]);
        await store.Events.AppendAsync([Ev("e1", "u1", "i1", 0), Ev("e2", "u2", "i1", 1), Ev("e3", "u1", null, 2), Ev("e4", "u1", "i2", 3)]);

        var erased = await store.Users.EraseAsync("u1");

        Assert.True(erased);
        Assert.Null(await store.Users.GetAsync("u1"));
        Assert.Empty(await ReadUserAsync(store, "u1"));
        Assert.Null(await store.Users.ExportAsync("u1"));
        Assert.NotNull(await store.Users.GetAsync("u2"));
        Assert.Single(await ReadUserAsync(store, "u2"));
        var snapshot = await store.Events.ReadSnapshotAsync();
        Assert.Equal(["u2"], snapshot.UserIds);
        var stats = await store.Events.GetStatsAsync();
        Assert.Equal((1L, 1L), (stats.Events, stats.Users));
        Assert.Equal(T0.AddMilliseconds(1), stats.FirstEvent);
        Assert.Equal(T0.AddMilliseconds(1), stats.LastEvent);
    }

    [Fact]
    public async Task Erase_of_an_unknown_user_returns_false()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("e1", "u1", "i1")]);

        Assert.False(await store.Users.EraseAsync("nobody"));
        Assert.Equal(1, (await store.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Erase_of_a_user_with_events_only_returns_true()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("e1", "u1", "i1")]);

        Assert.True(await store.Users.EraseAsync("u1"));
        Assert.False(await store.Users.EraseAsync("u1"));
    }

    [Fact]
    public async Task Erased_event_ids_can_be_stored_again()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("e1", "u1", "i1")]);
        await store.Users.EraseAsync("u1");

        var result = await store.Events.AppendAsync([Ev("e1", "u1", "i1")]);

        Assert.Equal(new AppendResult(1, 0), result);
    }

    [Fact]
    public async Task Erase_during_concurrent_appends_keeps_counters_equal_to_stored_events()
    {
        var store = await NewStoreAsync();
        var appends = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var k = 0; k < 50; k++)
            {
                await store.Events.AppendAsync([Ev(null, t % 2 == 0 ? "victim" : $"u{t}", $"i{k}", k)]);
            }
        })).ToList();

        await Task.Delay(5);
        await store.Users.EraseAsync("victim");
        await Task.WhenAll(appends);

        var stats = await store.Events.GetStatsAsync();
        var victim = (await ReadUserAsync(store, "victim")).Count;
        Assert.Equal(4 * 50 + victim, stats.Events);
        Assert.Equal(stats.Events, (await store.Events.ReadSnapshotAsync()).Count);
        Assert.Equal(stats.Events, stats.EventsByType[EventTypes.View]);
    }

    [Fact]
    public async Task Export_returns_the_user_and_all_their_events_oldest_first()
    {
        var store = await NewStoreAsync();
        await store.Users.UpsertAsync([new User("u1", Consent: new Consent(new ConsentChoice(true, T0), new ConsentChoice(true, T0)))]);
        await store.Events.AppendAsync([Ev("e2", "u1", "i2", 20), Ev("e1", "u1", "i1", 10), Ev("x", "u2", "i1", 15)]);

        var export = await store.Users.ExportAsync("u1");

        Assert.NotNull(export);
        Assert.Equal("u1", export.User?.Id);
        Assert.True(export.User!.Consent.Marketing.Granted);
        Assert.Equal(["e1", "e2"], export.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Export_of_a_user_with_events_but_no_record_has_a_null_user()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("e1", "u1", "i1")]);

        var export = await store.Users.ExportAsync("u1");

        Assert.NotNull(export);
        Assert.Null(export.User);
        Assert.Single(export.Events);
        Assert.Null(await store.Users.ExportAsync("u2"));
    }

    [Fact]
    public async Task Stats_count_events_users_items_types_and_time_bounds()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync(
        [
            Ev("a", "u1", "i1", 50), Ev("b", "u2", "i1", 10, EventTypes.Purchase), Ev("c", "u2", "i2", 90),
            Ev("d", "u3", null, 30, EventTypes.Search), Ev("a", "u1", "i3", 5),
        ]);

        var stats = await store.Events.GetStatsAsync();

        Assert.Equal(4, stats.Events);
        Assert.Equal(3, stats.Users);
        Assert.Equal(2, stats.Items);
        Assert.Equal(2, stats.EventsByType[EventTypes.View]);
        Assert.Equal(1, stats.EventsByType[EventTypes.Purchase]);
        Assert.Equal(1, stats.EventsByType[EventTypes.Search]);
        Assert.Equal(T0.AddMilliseconds(10), stats.FirstEvent);
        Assert.Equal(T0.AddMilliseconds(90), stats.LastEvent);
    }

    [Fact]
    public async Task Stats_of_an_empty_store_are_zero_with_no_time_bounds()
    {
        var store = await NewStoreAsync();

        var stats = await store.Events.GetStatsAsync();

        Assert.Equal((0L, 0L, 0L), (stats.Events, stats.Users, stats.Items));
        Assert.Empty(stats.EventsByType);
        Assert.Null(stats.FirstEvent);
        Assert.Null(stats.LastEvent);
    }

    [Fact]
    public async Task Migrate_again_is_a_no_op()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("e1", "u1", "i1")]);
        var before = await store.GetSchemaVersionAsync();

        await store.MigrateAsync();
        await store.MigrateAsync();

        Assert.True(before > 0);
        Assert.Equal(before, await store.GetSchemaVersionAsync());
        Assert.Single(await ReadUserAsync(store, "u1"));
    }

    [Fact]
    public async Task Ping_answers_true_on_an_open_store()
    {
        var store = await NewStoreAsync();

        Assert.True(await store.PingAsync());
    }

    [Fact]
    public async Task Reopen_keeps_events_catalog_users_and_stats()
    {
        var store = await NewStoreAsync();
        await store.Events.AppendAsync([Ev("e1", "u1", "i1", 10), Ev("e2", "u2", "i2", 20, EventTypes.Purchase, 3)]);
        await store.Catalog.UpsertAsync([new Item("i1", "One")]);
        await store.Users.UpsertAsync([new User("u1")]);

        var reopened = await ReopenTrackedAsync(store);

        var stats = await reopened.Events.GetStatsAsync();
        Assert.Equal((2L, 2L, 2L), (stats.Events, stats.Users, stats.Items));
        Assert.Equal(1, stats.EventsByType[EventTypes.Purchase]);
        Assert.Equal(T0.AddMilliseconds(10), stats.FirstEvent);
        Assert.Equal("One", (await reopened.Catalog.GetAsync("i1"))?.Title);
        Assert.NotNull(await reopened.Users.GetAsync("u1"));
        Assert.Equal(new AppendResult(0, 1), await reopened.Events.AppendAsync([Ev("e1", "u1", "i1", 10)]));
        Assert.Equal(new AppendResult(1, 0), await reopened.Events.AppendAsync([Ev("e3", "u3", "i1", 30)]));
        Assert.Equal(["u1", "u2", "u3"], (await reopened.Events.ReadSnapshotAsync()).UserIds);
    }

    [Fact]
    public async Task Dispose_commits_appends_still_queued()
    {
        var store = await NewStoreAsync();
        var pending = Enumerable.Range(0, 200).Select(k => store.Events.AppendAsync([Ev($"e{k}", $"u{k % 7}", "i1", k)]).AsTask()).ToList();

        var reopened = await ReopenTrackedAsync(store);
        await Task.WhenAll(pending);

        Assert.Equal(200, (await reopened.Events.GetStatsAsync()).Events);
    }

    [Fact]
    public async Task Append_after_dispose_throws_ObjectDisposedException()
    {
        var store = await CreateStoreAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.Events.AppendAsync([Ev("e1", "u1", "i1")]));
    }
}
