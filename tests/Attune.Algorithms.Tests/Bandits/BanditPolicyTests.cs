using Attune.Algorithms.Bandits;

namespace Attune.Algorithms.Tests.Bandits;

public sealed class BanditPolicyTests
{
    public static TheoryData<string, int> Specs => new()
    {
        { "fixed:weights=50,30,20", 0 },
        { "epsilon-greedy:epsilon=0.2", 0 },
        { "thompson:samples=400", 0 },
        { "linucb:alpha=1", 2 },
        { "linear-thompson:v=0.5,samples=400", 2 },
        { "softmax:temperature=1,learning-rate=0.2", 2 },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Action_probabilities_sum_to_one_and_match_the_chosen_propensity(string spec, int dim)
    {
        var policy = BanditPolicies.Create(spec, 3, dim);
        var rng = new Random(1);
        Train(policy, rng, 300);
        var context = dim == 0 ? [] : new[] { 0.3, -0.5 };
        var p = new double[3];

        policy.ActionProbabilities(context, p);
        var arm = policy.Choose(context, rng, out var propensity);

        Assert.Equal(1.0, p.Sum(), 6);
        Assert.All(p, v => Assert.InRange(v, 0, 1));
        Assert.InRange(propensity, 1e-9, 1);
        Assert.True(Math.Abs(propensity - p[arm]) < 0.1, $"propensity {propensity} vs probability {p[arm]}");
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Empirical_choice_frequencies_match_the_action_probabilities(string spec, int dim)
    {
        var policy = BanditPolicies.Create(spec, 3, dim);
        var rng = new Random(2);
        Train(policy, rng, 200);
        var context = dim == 0 ? [] : new[] { -0.4, 0.8 };
        var p = new double[3];
        policy.ActionProbabilities(context, p);

        var counts = new double[3];
        const int n = 3000;
        for (var i = 0; i < n; i++)
        {
            counts[policy.Choose(context, rng, out _)] += 1.0 / n;
        }

        for (var a = 0; a < 3; a++)
        {
            Assert.True(Math.Abs(counts[a] - p[a]) < 0.04, $"arm {a}: frequency {counts[a]:F3} vs probability {p[a]:F3}");
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Saved_state_restores_the_same_probabilities(string spec, int dim)
    {
        var policy = BanditPolicies.Create(spec, 3, dim);
        Train(policy, new Random(3), 250);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            BanditPolicies.Save(policy, writer);
        }

        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        var restored = BanditPolicies.Load(reader);

        var context = dim == 0 ? [] : new[] { 0.1, 0.9 };
        var before = new double[3];
        var after = new double[3];
        policy.ActionProbabilities(context, before);
        restored.ActionProbabilities(context, after);
        Assert.Equal(policy.Spec, restored.Spec);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Epsilon_greedy_propensity_is_exact()
    {
        var policy = new EpsilonGreedyPolicy(4, 0.2);
        for (var a = 0; a < 4; a++)
        {
            policy.Update(a, [], a == 2 ? 1 : 0);
        }

        var p = new double[4];
        policy.ActionProbabilities([], p);

        Assert.Equal([0.05, 0.05, 0.85, 0.05], p.Select(v => Math.Round(v, 12)).ToArray());
    }

    [Fact]
    public void Fixed_split_normalizes_weights()
    {
        var policy = BanditPolicies.Create("fixed:weights=50,30,20", 3);
        var p = new double[3];
        policy.ActionProbabilities([], p);
        Assert.Equal(0.5, p[0], 12);
        Assert.Equal(0.3, p[1], 12);
        Assert.Equal(0.2, p[2], 12);
    }

    [Fact]
    public void Thompson_sampling_concentrates_on_the_best_arm()
    {
        var policy = new BetaThompsonPolicy(3, samples: 200);
        var rng = new Random(4);
        double[] rates = [0.05, 0.10, 0.20];
        for (var t = 0; t < 3000; t++)
        {
            var arm = policy.Choose([], rng, out _);
            policy.Update(arm, [], rng.NextDouble() < rates[arm] ? 1 : 0);
        }

        var p = new double[3];
        policy.ActionProbabilities([], p);
        Assert.True(p[2] > 0.9, $"best arm probability {p[2]}");
    }

    [Theory]
    [InlineData("linucb:alpha=0.5")]
    [InlineData("linear-thompson:v=0.2,samples=100")]
    [InlineData("softmax:learning-rate=0.5")]
    public void Contextual_policies_learn_which_arm_suits_which_context(string spec)
    {
        var policy = BanditPolicies.Create(spec, 2, 1);
        var rng = new Random(5);
        for (var t = 0; t < 4000; t++)
        {
            double[] x = [rng.Next(2) == 0 ? -1 : 1];
            var arm = policy.Choose(x, rng, out _);
            var good = (x[0] > 0) == (arm == 1);
            policy.Update(arm, x, rng.NextDouble() < (good ? 0.6 : 0.2) ? 1 : 0);
        }

        var p = new double[2];
        policy.ActionProbabilities([1.0], p);
        Assert.True(p[1] > 0.8, $"P(arm 1 | x=1) = {p[1]}");
        policy.ActionProbabilities([-1.0], p);
        Assert.True(p[0] > 0.8, $"P(arm 0 | x=-1) = {p[0]}");
    }

    [Theory]
    [InlineData("nope", "Unknown policy")]
    [InlineData("linucb:alpha=-1", "alpha=-1")]
    [InlineData("thompson:gamma=2", "no parameter \"gamma\"")]
    [InlineData("fixed:weights=1,2", "2 weights for 3 arms")]
    [InlineData("epsilon-greedy:epsilon=x", "epsilon=x")]
    public void Bad_specs_are_rejected_with_a_clear_message(string spec, string expected)
    {
        var e = Assert.Throws<FormatException>(() => BanditPolicies.Create(spec, 3, 2 * (BanditPolicies.IsContextual(BanditSpec.Parse(spec).Name) ? 1 : 0)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thompson_rejects_rewards_outside_the_unit_interval()
    {
        var policy = new BetaThompsonPolicy(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => policy.Update(0, [], 2));
    }

    [Fact]
    public void Wrong_context_length_is_rejected()
    {
        var policy = BanditPolicies.Create("linucb", 2, 3);
        Assert.Throws<ArgumentException>(() => policy.Choose([1.0], new Random(1), out _));
    }

    [Fact]
    public void Loading_state_of_another_shape_fails_loudly()
    {
        var policy = new LinUcbPolicy(2, 2);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            policy.Write(writer);
        }

        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        Assert.Throws<InvalidDataException>(() => new LinUcbPolicy(3, 2).Read(reader));
    }

    private static void Train(IBanditPolicy policy, Random rng, int steps)
    {
        var dim = policy.ContextDimension;
        var x = new double[dim];
        for (var t = 0; t < steps; t++)
        {
            for (var k = 0; k < dim; k++)
            {
                x[k] = (rng.NextDouble() * 2) - 1;
            }

            var arm = policy.Choose(x, rng, out _);
            var rate = 0.1 + (0.2 * arm) + (dim > 0 ? 0.1 * x[0] * (arm - 1) : 0);
            policy.Update(arm, x, rng.NextDouble() < rate ? 1 : 0);
        }
    }
}
