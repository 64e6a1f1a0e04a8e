using Attune.Engine.Campaigns;
using Attune.Engine.Options;

namespace Attune.Engine.Tests.Campaigns;

public sealed class DecisionSettlementTests
{
    [Fact]
    public async Task A_decision_without_its_goal_in_the_attribution_window_teaches_the_policy_reward_zero()
    {
        await using var f = new DecisionFixture(new CampaignOptions { FatigueAfterIgnored = 0, AttributionWindow = TimeSpan.FromHours(1) });
        var campaign = f.Add(DecisionFixture.Campaign("c", policy: "epsilon-greedy"));
        var clicked = await f.DecideAsync("u1", "home_banner");
        var ignored = await f.DecideAsync("u2", "home_banner");
        Assert.True(f.Service.Reward(f.Goal(clicked, "u1")));

        var early = f.Service.SettleExpired();
        f.Clock.Advance(TimeSpan.FromHours(2));
        var settled = f.Service.SettleExpired();
        var late = f.Service.Reward(f.Goal(ignored, "u2"));

        Assert.Equal(0, early);
        Assert.Equal(1, settled);
        Assert.False(late, "a goal after the window no longer counts");
        Assert.Equal(0, f.Service.PendingCount);
        var policy = f.Service.Policies.Find(campaign)!;
        var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            policy.Policy.Write(writer);
        }

        // epsilon-greedy state: header, then pulls and reward sum per arm; both decisions are learned.
        state.Position = 0;
        using var reader = new BinaryReader(state);
        reader.ReadString();
        reader.ReadInt32();
        reader.ReadInt32();
        long pulls = 0;
        var sum = 0.0;
        for (var arm = 0; arm < 2; arm++)
        {
            pulls += reader.ReadInt64();
            sum += reader.ReadDouble();
        }

        Assert.Equal(2, pulls);
        Assert.Equal(1.0, sum);
    }

    [Fact]
    public async Task An_expired_decision_of_a_changed_campaign_is_dropped_not_learned()
    {
        await using var f = new DecisionFixture(new CampaignOptions { FatigueAfterIgnored = 0, AttributionWindow = TimeSpan.FromHours(1) });
        f.Add(DecisionFixture.Campaign("c", policy: "epsilon-greedy"));
        await f.DecideAsync("u1", "home_banner");
        f.Add(DecisionFixture.Campaign("c", policy: "thompson"));

        f.Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(0, f.Service.SettleExpired());
        Assert.Equal(0, f.Service.PendingCount);
    }
}
