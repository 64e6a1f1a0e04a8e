using System.Text.Json;
using Attune.Core;
using Attune.Engine.Campaigns;
using Attune.Engine.Options;

namespace Attune.Engine.Tests.Campaigns;

public sealed class DecisionServiceTests
{
    private static readonly CampaignOptions NoFatigue = new() { FatigueAfterIgnored = 0 };

    [Fact]
    public async Task Decide_renders_the_chosen_variant_and_logs_its_propensity()
    {
        await using var f = new DecisionFixture(NoFatigue);
        var options = new Dictionary<string, JsonElement> { ["weights"] = JsonSerializer.SerializeToElement(new[] { 3, 1 }) };
        f.Add(DecisionFixture.Campaign("spring", templates: ["Hi {{user.first_name | default: \"there\"}}", "Yo {{user.first_name}}"])
            with { Policy = new PolicyDefinition("fixed", options) });
        f.Subjects.Add("u1", attributes: ("first_name", "<Ann>"));

        var d = await f.DecideAsync("u1", "home_banner");
        await f.Log.FlushAsync();

        Assert.NotNull(d.DecisionId);
        Assert.Equal("spring", d.CampaignId);
        Assert.Equal(d.VariantId == "v0" ? "Hi &lt;Ann&gt;" : "Yo &lt;Ann&gt;", d.Content);
        Assert.Equal(d.VariantId == "v0" ? 0.75 : 0.25, d.Propensity!.Value, 6);
        var logged = Assert.IsType<DecisionRecord>(Assert.Single(DecisionLog.Read(f.Log.DirectoryPath, DateTimeOffset.MinValue)));
        Assert.Equal((d.DecisionId, d.VariantId, d.Propensity.Value), (logged.Id, logged.VariantId, logged.Propensity));
    }

    [Fact]
    public async Task Many_placements_are_decided_in_one_call_in_request_order()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("banner"));
        f.Add(DecisionFixture.Campaign("offer", placement: "checkout_offer"));

        var decisions = await f.DecideManyAsync("u1", ["checkout_offer", "home_banner", "nowhere"]);

        Assert.Equal(["checkout_offer", "home_banner", "nowhere"], decisions.Select(d => d.Placement));
        Assert.Equal(["offer", "banner", null], decisions.Select(d => d.CampaignId));
        Assert.Equal(NoContentReasons.NoCampaign, decisions[2].Reason);
    }

    [Fact]
    public async Task The_highest_priority_campaign_the_user_qualifies_for_wins()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("vip", priority: 10, audience: "attributes.tier == \"gold\""));
        f.Add(DecisionFixture.Campaign("everyone", priority: 1));
        f.Add(DecisionFixture.Campaign("low", priority: 0));
        f.Subjects.Add("gold", attributes: ("tier", "gold"));
        f.Subjects.Add("plain", attributes: ("tier", "silver"));

        Assert.Equal("vip", (await f.DecideAsync("gold", "home_banner")).CampaignId);
        Assert.Equal("everyone", (await f.DecideAsync("plain", "home_banner")).CampaignId);
    }

    [Fact]
    public async Task A_user_outside_every_audience_gets_nothing_and_the_reason()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("de", audience: "attributes.country == \"DE\""));
        f.Subjects.Add("fr", attributes: ("country", "FR"));

        var d = await f.DecideAsync("fr", "home_banner");

        Assert.Null(d.DecisionId);
        Assert.Equal(NoContentReasons.NotInAudience, d.Reason);
        Assert.Equal("de", d.CampaignId);
    }

    [Fact]
    public async Task Email_is_capped_at_two_a_week_per_user_across_campaigns()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("news", placement: "email_subject", channel: "email"));
        f.Add(DecisionFixture.Campaign("promo", placement: "email_promo", channel: "email"));
        f.Subjects.Add("u1", marketing: true);

        var first = await f.DecideAsync("u1", "email_subject");
        f.Clock.Advance(TimeSpan.FromDays(1));
        var second = await f.DecideAsync("u1", "email_promo");
        f.Clock.Advance(TimeSpan.FromDays(1));
        var third = await f.DecideAsync("u1", "email_subject");
        f.Clock.Advance(TimeSpan.FromDays(5.5));
        var nextWeek = await f.DecideAsync("u1", "email_subject");

        Assert.True(first.ShowsSomething && second.ShowsSomething);
        Assert.Equal(NoContentReasons.FrequencyCap, third.Reason);
        Assert.Contains("at most 2", third.Detail, StringComparison.Ordinal);
        Assert.True(nextWeek.ShowsSomething);
    }

    [Fact]
    public async Task Push_is_capped_at_one_a_day_even_within_one_call()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("p1", placement: "push", channel: "push"));
        f.Add(DecisionFixture.Campaign("p2", placement: "push_reminder", channel: "push"));
        f.Subjects.Add("u1", marketing: true);

        var decisions = await f.DecideManyAsync("u1", ["push", "push_reminder"]);
        f.Clock.Advance(TimeSpan.FromHours(25));
        var tomorrow = await f.DecideAsync("u1", "push_reminder");

        Assert.True(decisions[0].ShowsSomething);
        Assert.Equal(NoContentReasons.FrequencyCap, decisions[1].Reason);
        Assert.True(tomorrow.ShowsSomething);
    }

    [Fact]
    public async Task A_cap_on_every_channel_counts_all_campaigns()
    {
        var options = NoFatigue with { FrequencyCaps = [new FrequencyCapOptions { Channel = "*", Max = 2, Period = TimeSpan.FromDays(1) }] };
        await using var f = new DecisionFixture(options);
        f.Add(DecisionFixture.Campaign("a", placement: "p1"));
        f.Add(DecisionFixture.Campaign("b", placement: "p2", channel: "app"));
        f.Add(DecisionFixture.Campaign("c", placement: "p3", channel: "store"));

        var decisions = await f.DecideManyAsync("u1", ["p1", "p2", "p3"]);

        Assert.Equal([true, true, false], decisions.Select(d => d.ShowsSomething));
        Assert.Equal(NoContentReasons.FrequencyCap, decisions[2].Reason);
    }

    [Fact]
    public async Task A_campaign_cap_limits_one_campaign_and_lets_the_next_one_show()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("once", priority: 5, cap: new FrequencyCapDefinition(1, TimeSpan.FromDays(30))));
        f.Add(DecisionFixture.Campaign("fallback", priority: 1));

        var first = await f.DecideAsync("u1", "home_banner");
        var second = await f.DecideAsync("u1", "home_banner");

        Assert.Equal("once", first.CampaignId);
        Assert.Equal("fallback", second.CampaignId);
    }

    [Fact]
    public async Task Campaign_cap_refusal_says_so_when_nothing_else_applies()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("once", cap: new FrequencyCapDefinition(1, TimeSpan.FromDays(30))));

        await f.DecideAsync("u1", "home_banner");
        var second = await f.DecideAsync("u1", "home_banner");

        Assert.Equal(NoContentReasons.CampaignCap, second.Reason);
    }

    [Fact]
    public async Task Fatigue_rests_a_user_who_ignores_a_channel_and_a_response_resets_it()
    {
        var options = new CampaignOptions { FrequencyCaps = [], FatigueAfterIgnored = 3, FatigueCooldown = TimeSpan.FromDays(2) };
        await using var f = new DecisionFixture(options);
        f.Add(DecisionFixture.Campaign("banner"));

        Decision last = null!;
        for (var i = 0; i < 3; i++)
        {
            last = await f.DecideAsync("u1", "home_banner");
            Assert.True(last.ShowsSomething);
        }

        var tired = await f.DecideAsync("u1", "home_banner");
        Assert.Equal(NoContentReasons.Fatigue, tired.Reason);

        // A click on the last decision shows the user still responds.
        Assert.True(f.Service.Reward(f.Goal(last, "u1")));
        Assert.True((await f.DecideAsync("u1", "home_banner")).ShowsSomething);

        for (var i = 0; i < 2; i++)
        {
            await f.DecideAsync("u1", "home_banner");
        }

        Assert.Equal(NoContentReasons.Fatigue, (await f.DecideAsync("u1", "home_banner")).Reason);
        f.Clock.Advance(TimeSpan.FromDays(2.1));
        Assert.True((await f.DecideAsync("u1", "home_banner")).ShowsSomething);
    }

    [Fact]
    public async Task Email_needs_marketing_consent()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("news", placement: "email_subject", channel: "email"));
        f.Subjects.Add("no", marketing: false);

        var d = await f.DecideAsync("no", "email_subject");

        Assert.Equal(NoContentReasons.NoMarketingConsent, d.Reason);
    }

    [Fact]
    public async Task A_campaign_outside_its_schedule_or_paused_shows_nothing()
    {
        await using var f = new DecisionFixture(NoFatigue);
        var start = f.Clock.Now.AddDays(1);
        f.Add(DecisionFixture.Campaign("later", schedule: new ScheduleDefinition(start, null)));
        f.Add(DecisionFixture.Campaign("paused", placement: "p2") with { Status = "paused" });

        Assert.Equal(NoContentReasons.NoCampaign, (await f.DecideAsync("u1", "home_banner")).Reason);
        Assert.Equal(NoContentReasons.NoCampaign, (await f.DecideAsync("u1", "p2")).Reason);
        f.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal("later", (await f.DecideAsync("u1", "home_banner")).CampaignId);
    }

    [Fact]
    public async Task Only_a_goal_event_of_the_same_user_within_the_window_is_credited_once()
    {
        await using var f = new DecisionFixture(NoFatigue with { AttributionWindow = TimeSpan.FromHours(1) });
        var campaign = f.Add(DecisionFixture.Campaign("banner"));
        var d = await f.DecideAsync("u1", "home_banner");
        var late = await f.DecideAsync("u2", "home_banner");

        Assert.False(f.Service.Reward(f.Goal(d, "u1", type: EventTypes.Purchase)));
        Assert.False(f.Service.Reward(f.Goal(d, "intruder")));
        Assert.False(f.Service.Reward(f.Goal(late, "u2", after: TimeSpan.FromHours(2))));
        Assert.True(f.Service.Reward(f.Goal(d, "u1")));
        Assert.False(f.Service.Reward(f.Goal(d, "u1")));

        var policy = f.Service.Policies.For(campaign);
        var arm = campaign.Variants.Select(v => v.Id).ToList().IndexOf(d.VariantId!);
        Assert.Equal(1.0, policy.Rewards(arm));
        Assert.Equal(2, policy.Decisions(0) + policy.Decisions(1));
    }

    [Fact]
    public async Task Contextual_policy_logs_the_feature_vector_it_chose_with()
    {
        await using var f = new DecisionFixture(NoFatigue);
        f.Add(DecisionFixture.Campaign("ctx", policy: "linucb"));

        var d = await f.DecideAsync("u1", "home_banner", device: "mobile");
        await f.Log.FlushAsync();

        var logged = Assert.IsType<DecisionRecord>(Assert.Single(DecisionLog.Read(f.Log.DirectoryPath, DateTimeOffset.MinValue)));
        Assert.Equal(DecisionFeatures.Dimension, logged.Context.Count);
        Assert.Equal(1.0, logged.Context[DecisionFeatures.Names.ToList().IndexOf("request_mobile")]);
        Assert.InRange(d.Propensity!.Value, 1e-9, 1.0);
    }

    [Fact]
    public async Task Policy_state_and_pending_rewards_survive_a_restart()
    {
        using var dir = new Attune.TestSupport.TempDirectory();
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        Decision open;
        long[] decisionsBefore;
        double[] rewardsBefore;
        await using (var f = new DecisionFixture(NoFatigue, dir, clock))
        {
            var campaign = f.Add(DecisionFixture.Campaign("banner"));
            for (var i = 0; i < 30; i++)
            {
                var d = await f.DecideAsync($"u{i}", "home_banner");
                if (d.VariantId == "v1")
                {
                    f.Service.Reward(f.Goal(d, $"u{i}"));
                }
            }

            open = await f.DecideAsync("last", "home_banner");
            var policy = f.Service.Policies.For(campaign);
            decisionsBefore = [policy.Decisions(0), policy.Decisions(1)];
            rewardsBefore = [policy.Rewards(0), policy.Rewards(1)];
            Assert.Equal(1, f.Service.Maintain());
            await f.Log.FlushAsync();
        }

        await using var restarted = new DecisionFixture(NoFatigue, dir, clock);
        var restored = restarted.Service.Restore();
        var again = restarted.Service.Policies.For(restarted.Campaigns.Current.Get("banner")!);

        Assert.Equal(31, restored);
        Assert.Equal(decisionsBefore, new[] { again.Decisions(0), again.Decisions(1) });
        Assert.Equal(rewardsBefore, new[] { again.Rewards(0), again.Rewards(1) });
        Assert.True(rewardsBefore[1] > 0);
        Assert.True(restarted.Service.Reward(restarted.Goal(open, "last")), "A decision made before the restart is still rewarded after it.");
    }

    [Fact]
    public async Task Editing_the_variants_starts_learning_over()
    {
        await using var f = new DecisionFixture(NoFatigue);
        var campaign = f.Add(DecisionFixture.Campaign("banner"));
        await f.DecideAsync("u1", "home_banner");

        var edited = f.Add(DecisionFixture.Campaign("banner", templates: ["x", "y", "z"]));

        Assert.Equal(1, f.Service.Policies.For(campaign).Decisions(0) + f.Service.Policies.For(campaign).Decisions(1));
        Assert.Equal(0, Enumerable.Range(0, 3).Sum(i => f.Service.Policies.For(edited).Decisions(i)));
    }
}
