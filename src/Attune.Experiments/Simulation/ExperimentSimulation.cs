using System.Globalization;
using Attune.Experiments.Assignment;
using Attune.Experiments.Statistics;

namespace Attune.Experiments.Simulation;

/// <summary>A simulated A/B/n test: traffic weights and the planted relative effect of each arm on the click rate.</summary>
/// <param name="Users">Users drawn (uniformly, with replacement) from the population into the test.</param>
/// <param name="Weights">Traffic weight per arm; arm 0 is the control.</param>
/// <param name="Lifts">Relative change of every click probability per arm (0 for the control; all 0 for an A/A test).</param>
/// <param name="Batches">Looks at the data: users arrive in this many equal batches and the tests are evaluated after each.</param>
/// <param name="Alpha">Significance level.</param>
/// <param name="Tau">mSPRT mixing scale on the difference of conversion rates; the default suits about 1,000 users per arm at a 25% rate (tau^2 about 16 times the final variance, where 20 looks reject most often).</param>
/// <param name="Spending">Spending function of the group-sequential test, planned with one look per batch over <paramref name="Users"/>.</param>
public sealed record ExperimentPlan(
    int Users,
    IReadOnlyList<double> Weights,
    IReadOnlyList<double> Lifts,
    int Batches = 10,
    double Alpha = 0.05,
    double Tau = 0.08,
    SpendingFunction Spending = SpendingFunction.OBrienFleming)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"users={Users},weights={string.Join('/', Weights)},lifts={string.Join('/', Lifts)},batches={Batches},alpha={Alpha},tau={Tau},spending={Spending}");
}

/// <summary>The outcome of one simulated test of arm 1 against the control.</summary>
/// <param name="Conversion">The final two-proportion z-test on "clicked at least once".</param>
/// <param name="Clicks">The final Welch test on clicks per user.</param>
/// <param name="Cuped">The final CUPED-adjusted test on clicks per user, with the pre-period clicks as covariate.</param>
/// <param name="SequentialRejected">Whether the always-valid mSPRT on conversion rejected at any of the looks.</param>
/// <param name="PeekingRejected">Whether the fixed-horizon z-test was significant at any of the looks (the mistake sequential tests prevent).</param>
/// <param name="SampleRatio">Sample-ratio check of the group sizes against the weights.</param>
/// <param name="GroupSizes">Users per arm.</param>
public sealed record ExperimentOutcome(
    TestResult Conversion,
    TestResult Clicks,
    CupedResult Cuped,
    bool SequentialRejected,
    bool PeekingRejected,
    SampleRatioResult SampleRatio,
    IReadOnlyList<long> GroupSizes,
    GroupSequentialOutcome GroupSequential);

/// <summary>The group-sequential z-test on conversion, checked at every batch against its planned boundaries.</summary>
/// <param name="StoppedAt">The first look whose boundary the statistic crossed (1-based); 0 when it never did.</param>
/// <param name="Difference">The difference of conversion rates at the stop (or at the end when it never stopped).</param>
/// <param name="UsersAtStop">Users in the test when it stopped (all of them when it never did).</param>
public sealed record GroupSequentialOutcome(int StoppedAt, double Difference, long UsersAtStop)
{
    public bool Rejected => StoppedAt > 0;
}

/// <summary>
/// Runs A/B/n tests on a <see cref="Population"/>: users are assigned by <see cref="AssignmentHash"/> of their id
/// and the test's salt, as in production; each visits <see cref="Population.Activity"/> times in a pre-period
/// (control experience) and again in the test period (their arm's experience), clicking by the ground-truth
/// model with the arm's planted lift. O(users x visits) per test.
/// </summary>
public sealed class ExperimentSimulation(Population population)
{
    /// <summary>The exact population conversion rate ("clicked at least once in the period") of an arm with relative lift <paramref name="lift"/>.</summary>
    public double TrueConversion(double lift)
    {
        var sum = 0.0;
        for (var u = 0; u < population.Users; u++)
        {
            var p = UserClickRate(u) * (1 + lift);
            sum += 1 - Math.Pow(1 - p, population.Activity[u]);
        }

        return sum / population.Users;
    }

    public ExperimentOutcome Run(ExperimentPlan plan, string salt, int seed)
    {
        var arms = plan.Weights.Count;
        if (arms < 2 || plan.Lifts.Count != arms)
        {
            throw new ArgumentException($"A test needs at least 2 arms and one lift per arm (weights {arms}, lifts {plan.Lifts.Count}).");
        }

        var cumulative = new double[arms];
        var total = plan.Weights.Sum();
        var running = 0.0;
        for (var a = 0; a < arms; a++)
        {
            running += plan.Weights[a] / total;
            cumulative[a] = running;
        }

        var rng = new Random(seed);
        var sizes = new long[arms];
        var converted = new long[arms];
        var metric = new List<double>[] { [], [] };
        var covariate = new List<double>[] { [], [] };
        var sequential = new Msprt(plan.Tau, plan.Alpha);
        var design = GroupSequentialDesign.For(plan.Batches, plan.Alpha, plan.Spending);
        var stoppedAt = 0;
        var stopDifference = 0.0;
        long stopUsers = plan.Users;
        bool sequentialRejected = false, peekingRejected = false;
        var perBatch = Math.Max(1, plan.Users / plan.Batches);
        for (var i = 0; i < plan.Users; i++)
        {
            var user = rng.Next(population.Users);
            var unit = AssignmentHash.Unit(salt, population.UserIds[user] + "#" + i.ToString(CultureInfo.InvariantCulture));
            var arm = 0;
            while (arm < arms - 1 && unit >= cumulative[arm])
            {
                arm++;
            }

            var rate = UserClickRate(user);
            var pre = Clicks(rng, rate, population.Activity[user]);
            var post = Clicks(rng, rate * (1 + plan.Lifts[arm]), population.Activity[user]);
            sizes[arm]++;
            converted[arm] += post > 0 ? 1 : 0;
            if (arm < 2)
            {
                metric[arm].Add(post);
                covariate[arm].Add(pre);
            }

            if ((i + 1) % perBatch == 0 && sizes[0] > 1 && sizes[1] > 1)
            {
                var look = HypothesisTests.TwoProportion(converted[0], sizes[0], converted[1], sizes[1], plan.Alpha);
                peekingRejected |= look.Significant;
                var pc = (double)converted[0] / sizes[0];
                var pt = (double)converted[1] / sizes[1];
                sequentialRejected |= sequential.Look(pt - pc, (pc * (1 - pc) / sizes[0]) + (pt * (1 - pt) / sizes[1])).Rejected;
                var k = (i + 1) / perBatch;
                if (stoppedAt == 0 && k <= design.Looks && design.Crosses(k, look.Statistic))
                {
                    stoppedAt = k;
                    stopDifference = pt - pc;
                    stopUsers = i + 1;
                }
            }
        }

        var final = HypothesisTests.TwoProportion(converted[0], sizes[0], converted[1], sizes[1], plan.Alpha);
        var clicks = HypothesisTests.Welch(GroupSummary.Of(metric[0].ToArray()), GroupSummary.Of(metric[1].ToArray()), plan.Alpha);
        var cuped = Statistics.Cuped.Compare(metric[0].ToArray(), covariate[0].ToArray(), metric[1].ToArray(), covariate[1].ToArray(), plan.Alpha);
        var srm = SampleRatio.Check(sizes, plan.Weights.ToArray());
        var groupSequential = new GroupSequentialOutcome(stoppedAt, stoppedAt > 0 ? stopDifference : final.Difference, stopUsers);
        return new ExperimentOutcome(final, clicks, cuped, sequentialRejected, peekingRejected, srm, sizes, groupSequential);
    }

    /// <summary>A user's click rate per visit on the default experience: their segment's mean over variants, at the top position.</summary>
    public double UserClickRate(int user)
    {
        var sum = 0.0;
        for (var v = 0; v < population.Variants; v++)
        {
            sum += population.BaseClickRate(population.Segment[user], v);
        }

        return sum / population.Variants;
    }

    private static int Clicks(Random rng, double p, int visits)
    {
        var clicks = 0;
        for (var v = 0; v < visits; v++)
        {
            clicks += rng.NextDouble() < p ? 1 : 0;
        }

        return clicks;
    }
}
