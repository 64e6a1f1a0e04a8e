using System.Globalization;
using Attune.Core;
using Attune.Experiments.Assignment;
using Attune.Experiments.Metrics;

namespace Attune.Experiments.Tests.Assignment;

public sealed class AssignmentTests
{
    private static ExperimentDefinition Experiment(string id, string layer = "default", double traffic = 1, params double[] weights) => new()
    {
        Id = id,
        Layer = layer,
        Traffic = traffic,
        Status = ExperimentStatus.Running,
        Variants = (weights.Length == 0 ? [1.0, 1.0] : weights).Select((w, i) => new VariantDefinition("v" + i.ToString(CultureInfo.InvariantCulture), w)).ToArray(),
        Metrics = [new MetricDefinition("conversion", MetricKind.Conversion, "purchase")],
    };

    private static IEnumerable<string> Users(int n) => Enumerable.Range(0, n).Select(i => "user-" + i.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public void Hash_is_stable_across_runs_and_salts_are_independent()
    {
        Assert.Equal(AssignmentHash.Hash("exp", "alice"), AssignmentHash.Hash("exp", "alice"));
        Assert.NotEqual(AssignmentHash.Hash("exp", "alice"), AssignmentHash.Hash("exp2", "alice"));
        Assert.NotEqual(AssignmentHash.Hash("ab", "c"), AssignmentHash.Hash("a", "bc"));
        var same = Users(10_000).Count(u => AssignmentHash.Unit("a", u) < 0.5 == AssignmentHash.Unit("b", u) < 0.5);
        Assert.InRange(same, 4800, 5200);
    }

    [Fact]
    public void Variant_shares_follow_the_weights()
    {
        var e = ExperimentAssigner.Allocate(Experiment("e1", weights: [70, 20, 10]), []);
        var counts = new int[3];
        foreach (var u in Users(20_000))
        {
            counts[ExperimentAssigner.Assign(e, u, null)!.Value.VariantIndex]++;
        }

        Assert.InRange(counts[0], 13_700, 14_300);
        Assert.InRange(counts[1], 3_700, 4_300);
        Assert.InRange(counts[2], 1_800, 2_200);
    }

    [Fact]
    public void Experiments_of_one_layer_never_share_a_user_and_respect_their_traffic()
    {
        var a = ExperimentAssigner.Allocate(Experiment("a", traffic: 0.3), []);
        var b = ExperimentAssigner.Allocate(Experiment("b", traffic: 0.5), [a]);
        var other = ExperimentAssigner.Allocate(Experiment("c", layer: "ranking"), []);
        var assigner = new ExperimentAssigner([a, b, other]);
        int inA = 0, inB = 0, both = 0, inC = 0;

        foreach (var u in Users(20_000))
        {
            var all = assigner.AssignAll(u);
            var hasA = all.Any(x => x.ExperimentId == "a");
            var hasB = all.Any(x => x.ExperimentId == "b");
            inA += hasA ? 1 : 0;
            inB += hasB ? 1 : 0;
            both += hasA && hasB ? 1 : 0;
            inC += all.Any(x => x.ExperimentId == "c") ? 1 : 0;
        }

        Assert.Equal(0, both);
        Assert.InRange(inA, 5_700, 6_300);
        Assert.InRange(inB, 9_600, 10_400);
        Assert.Equal(20_000, inC);
        Assert.Equal((3000, 8000), (b.BucketStart, b.BucketEnd));
    }

    [Fact]
    public void A_full_layer_refuses_another_experiment_with_a_clear_message()
    {
        var a = ExperimentAssigner.Allocate(Experiment("a", traffic: 0.8), []);

        var e = Assert.Throws<InvalidOperationException>(() => ExperimentAssigner.Allocate(Experiment("b", traffic: 0.3), [a]));

        Assert.Contains("Layer 'default' has no free range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Holdout_users_get_no_experiment_and_the_holdout_has_its_size()
    {
        var e = ExperimentAssigner.Allocate(Experiment("a"), []);
        var assigner = new ExperimentAssigner([e], new HoldoutSettings(0.1));

        var held = Users(20_000).Where(assigner.IsInHoldout).ToList();

        Assert.InRange(held.Count, 1_800, 2_200);
        Assert.All(held, u => Assert.Empty(assigner.AssignAll(u)));
        Assert.All(held, u => Assert.Null(assigner.Assign("a", u)));
    }

    [Fact]
    public void Validator_names_every_bad_field()
    {
        var bad = new ExperimentDefinition
        {
            Id = "bad id",
            Traffic = 1.5,
            Variants = [new VariantDefinition("a"), new VariantDefinition("a", -1)],
            Metrics = [new MetricDefinition("ctr", MetricKind.Ratio, "click")],
        };

        var fields = ExperimentValidator.Validate(bad).Select(e => e.Field).ToArray();

        Assert.Equal(["id", "traffic", "variants[1].id", "variants[1].weight", "metrics[0].denominatorEventType"], fields);
    }

    [Fact]
    public void Results_from_the_event_log_match_hand_counts()
    {
        var e = ExperimentAssigner.Allocate(Experiment("e") with
        {
            Metrics =
            [
                new MetricDefinition("conversion", MetricKind.Conversion, "purchase"),
                new MetricDefinition("revenue", MetricKind.Revenue, "purchase"),
                new MetricDefinition("ctr", MetricKind.Ratio, "click", "view"),
            ],
        }, []);
        var users = Users(400).ToArray();
        var rows = new List<(int User, int Type, float Value)>();
        var expectedBuyers = new int[2];
        var expectedUsers = new int[2];
        var clicks = new double[2];
        var views = new double[2];
        for (var u = 0; u < users.Length; u++)
        {
            var arm = ExperimentAssigner.Assign(e, users[u], null)!.Value.VariantIndex;
            expectedUsers[arm]++;
            rows.Add((u, 0, float.NaN));
            rows.Add((u, 0, float.NaN));
            views[arm] += 2;
            if (u % 3 == 0)
            {
                rows.Add((u, 1, float.NaN));
                clicks[arm]++;
            }

            if (u % 4 == 0)
            {
                rows.Add((u, 2, 10));
                expectedBuyers[arm]++;
            }
        }

        var snapshot = new InteractionSnapshot(
            users,
            ["item"],
            ["view", "click", "purchase"],
            rows.Select(r => r.User).ToArray(),
            new int[rows.Count],
            rows.Select(r => (byte)r.Type).ToArray(),
            rows.Select(r => r.Value).ToArray(),
            Enumerable.Repeat(1_000L, rows.Count).ToArray());

        var results = ExperimentAnalyzer.Analyze(e, null, snapshot, 500, 1500);

        Assert.Equal(expectedUsers[0], results.Users[0].Users);
        Assert.Equal(expectedUsers[1], results.Users[1].Users);
        var conversion = results.Metrics[0];
        Assert.Equal((double)expectedBuyers[1] / expectedUsers[1], conversion.Variants[1].Value, 12);
        Assert.Equal(10.0 * expectedBuyers[0] / expectedUsers[0], results.Metrics[1].Variants[0].Value, 9);
        Assert.Equal(clicks[1] / views[1], results.Metrics[2].Variants[1].Value, 12);
        Assert.Single(conversion.Comparisons);
        Assert.False(results.SampleRatio!.Mismatch);
    }
}
