using Attune.Core;

namespace Attune.Storage.Tests.Conformance;

/// <summary>Reads of one user see every completed write, whatever a provider keeps in memory between reads.</summary>
public abstract partial class StoreConformanceTests
{
    private static readonly Consent Withdrawn = new(new ConsentChoice(false, T0), new ConsentChoice(false, T0));

    [Fact]
    public async Task A_read_after_an_upsert_sees_the_new_consent()
    {
        var store = await NewStoreAsync();
        await store.Users.UpsertAsync([new User("u1")]);
        Assert.True((await store.Users.GetAsync("u1"))!.Consent.Personalization.Granted);

        await store.Users.UpsertAsync([new User("u1", Consent: Withdrawn)]);

        Assert.False((await store.Users.GetAsync("u1"))!.Consent.Personalization.Granted);
    }

    [Fact]
    public async Task A_user_read_as_unknown_is_found_once_stored()
    {
        var store = await NewStoreAsync();
        Assert.Null(await store.Users.GetAsync("late"));

        await store.Users.UpsertAsync([new User("late", Consent: Withdrawn)]);

        Assert.False((await store.Users.GetAsync("late"))!.Consent.Personalization.Granted);
    }

    [Fact]
    public async Task A_read_after_an_erasure_finds_no_user()
    {
        var store = await NewStoreAsync();
        await store.Users.UpsertAsync([new User("gone"), new User("kept")]);
        Assert.NotNull(await store.Users.GetAsync("gone"));
        Assert.NotNull(await store.Users.GetAsync("kept"));

        await store.Users.EraseAsync("gone");

        Assert.Null(await store.Users.GetAsync("gone"));
        Assert.NotNull(await store.Users.GetAsync("kept"));
    }
}
