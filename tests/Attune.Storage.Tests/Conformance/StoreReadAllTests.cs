using Attune.Core;

namespace Attune.Storage.Tests.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task ReadAll_streams_every_event_with_its_context_and_leaves_out_erased_users()
    {
        var store = await NewStoreAsync();
        var withContext = Ev("e2", "u2", null, 1) with { Context = new EventContext("app", "mobile"), SessionId = "s1" };
        await store.Events.AppendAsync([Ev("e1", "u1", "i1", 5), withContext, Ev("e3", "u3", "i2", 0, EventTypes.Purchase, 9.5)]);
        await store.Users.EraseAsync("u3");

        var all = new List<Event>();
        await foreach (var e in store.Events.ReadAllAsync())
        {
            all.Add(e);
        }

        Assert.Equal(["e1", "e2"], all.Select(e => e.Id));
        Assert.Equal("u2", all[1].UserId);
        Assert.Equal(new EventContext("app", "mobile"), all[1].Context);
        Assert.Equal("s1", all[1].SessionId);
        Assert.Equal("i1", all[0].ItemId);
    }

    [Fact]
    public async Task ReadAll_users_streams_every_user_in_id_order_with_consent()
    {
        var store = await NewStoreAsync();
        var refused = new User("b", Consent: new Consent(new ConsentChoice(false, T0), new ConsentChoice(true, T0)));
        await store.Users.UpsertAsync([new User("c"), refused, new User("a")]);

        var users = new List<User>();
        await foreach (var u in store.Users.ReadAllAsync())
        {
            users.Add(u);
        }

        Assert.Equal(["a", "b", "c"], users.Select(u => u.Id));
        Assert.False(users[1].Consent.Personalization.Granted);
    }
}
