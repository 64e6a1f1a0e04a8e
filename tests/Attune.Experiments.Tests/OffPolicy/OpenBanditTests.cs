using Attune.Experiments.OffPolicy;
using Attune.TestSupport;
using Xunit.Abstractions;

namespace Attune.Experiments.Tests.OffPolicy;

public sealed class OpenBanditTests(ITestOutputHelper output)
{
    [DataFact("open-bandit-dataset/random/men/men.csv")]
    public void Estimates_of_the_bts_policy_from_random_logs_are_reported_with_intervals_next_to_its_on_policy_click_rate()
    {
        var random = SharedData.Require("open-bandit-dataset/random/men/men.csv");
        var bts = SharedData.Require("open-bandit-dataset/bts/men/men.csv");

        var result = OpenBanditEvaluation.Run(random, bts);

        output.WriteLine($"bts on-policy CTR {result.OnPolicyCtr:F5} [{result.OnPolicyLower:F5}, {result.OnPolicyUpper:F5}], random logged CTR {result.Report.LoggedValue:F5}, ESS {result.Report.EffectiveSampleSize:F0}");
        foreach (var e in result.Report.Estimates)
        {
            output.WriteLine($"{e.Estimator,-6} {e.Value:F5} [{e.Lower:F5}, {e.Upper:F5}] covers: {e.Covers(result.OnPolicyCtr)}");
        }

        Assert.Equal(10_000, result.Report.Rows);
        Assert.Equal(0.0069, result.OnPolicyCtr, 6);
        Assert.Equal(0.0046, result.Report.LoggedValue, 6);
        Assert.All(result.Report.Estimates, e => Assert.InRange(e.Value, 0.0, 0.05));
        Assert.All(result.Report.Estimates, e => Assert.True(e.Lower < e.Value && e.Value < e.Upper));
        Assert.True(result.Report["ips"].Covers(result.OnPolicyCtr) || result.Report["dr"].Covers(result.OnPolicyCtr), "neither IPS nor DR covers the on-policy click rate");
    }
}
