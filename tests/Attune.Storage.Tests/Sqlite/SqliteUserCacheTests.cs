using Attune.Core;
using Attune.Storage.Sqlite;
using Attune.TestSupport;

namespace Attune.Storage.Tests.Sqlite;

/// <summary>The in-memory user cache of the SQLite store never answers with a user older than the last completed write.</summary>
public sealed class SqliteUserCacheTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static User WithConsent(string id, bool granted) =>
        new(id, Consent: new Consent(new ConsentChoice(granted, T0), new ConsentChoice(false, null)));

    [Fact]
    public async Task Each_completed_write_is_seen_by_the_next_read_while_other_readers_fill_the_cache()
    {
        await using var store = await SqliteStore.OpenAsync(_dir.Path, new SqliteStoreOptions(SqliteSynchronous.Off));
        await store.Users.UpsertAsync([WithConsent("u", true)]);
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await store.Users.GetAsync("u");
            }
        })).ToArray();

        for (var i = 0; i < 200; i++)
        {
            var granted = i % 2 == 0;
            if (i % 50 == 49)
            {
                await store.Users.EraseAsync("u");
                Assert.Null(await store.Users.GetAsync("u"));
            }

            await store.Users.UpsertAsync([WithConsent("u", granted)]);

            Assert.Equal(granted, (await store.Users.GetAsync("u"))!.Consent.Personalization.Granted);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Reads_stay_right_with_the_cache_off_or_smaller_than_the_users(int capacity)
    {
        await using var store = await SqliteStore.OpenAsync(_dir.Path, new SqliteStoreOptions(SqliteSynchronous.Off, UserCacheCapacity: capacity));
        var users = Enumerable.Range(0, 10).Select(i => WithConsent($"u{i}", i % 3 == 0)).ToArray();
        await store.Users.UpsertAsync(users);

        for (var round = 0; round < 3; round++)
        {
            foreach (var u in users)
            {
                Assert.Equal(u.Consent.Personalization.Granted, (await store.Users.GetAsync(u.Id))!.Consent.Personalization.Granted);
                Assert.Null(await store.Users.GetAsync("nobody-" + u.Id));
            }
        }

        await store.Users.UpsertAsync([WithConsent("u0", false)]);
        Assert.False((await store.Users.GetAsync("u0"))!.Consent.Personalization.Granted);
    }

    [Fact]
    public async Task A_negative_cache_capacity_is_refused_with_its_name()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SqliteStore.OpenAsync(_dir.Path, new SqliteStoreOptions(UserCacheCapacity: -1)));

        Assert.Equal("UserCacheCapacity", error.ParamName);
    }
}
