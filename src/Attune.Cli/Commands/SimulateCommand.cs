using System.CommandLine;
using System.Globalization;
using Attune.Algorithms.Bandits;
using Attune.Engine.Campaigns;
using Attune.Experiments.Simulation;
using Attune.Experiments.Statistics;

namespace Attune.Cli.Commands;

/// <summary>
/// <c>attune simulate</c>: runs bandit policies and A/B tests against a synthetic population whose tastes are known,
/// and reports CTR, conversion, revenue, regret and lift (and, with --aa, the false-positive rate and power of the tests).
/// </summary>
internal sealed class SimulateCommand : ICliCommand
{
    public int Order => 75;

    public Command Create()
    {
        var command = new Command("simulate", "Run policies and experiments on a synthetic population with known tastes; report CTR, conversion, regret and lift.");
        var policies = new Option<string>("--policies")
        {
            Description = "Comma-free list of policy specs separated by ';' (e.g. \"thompson;epsilon-greedy:epsilon=0.1;linucb:alpha=0.3\").",
            DefaultValueFactory = _ => "fixed;epsilon-greedy:epsilon=0.1;thompson:samples=100;linucb:alpha=0.3;linear-thompson:v=0.1,samples=100;softmax:learning-rate=0.5",
        };
        var steps = new Option<int>("--steps") { Description = "Decisions per policy.", DefaultValueFactory = _ => 20_000 };
        var users = new Option<int>("--users") { Description = "Population size.", DefaultValueFactory = _ => 5_000 };
        var segments = new Option<int>("--segments") { Description = "Taste segments (1 = everybody alike).", DefaultValueFactory = _ => 3 };
        var variants = new Option<int>("--variants") { Description = "Variants (arms).", DefaultValueFactory = _ => 3 };
        var fatigue = new Option<double>("--fatigue") { Description = "Click-rate multiplier per earlier exposure to the same variant (1 = none).", DefaultValueFactory = _ => 0.9 };
        var goal = new Option<SimulationGoal>("--goal") { Description = "Reward: Click or Purchase.", DefaultValueFactory = _ => SimulationGoal.Click };
        var seed = new Option<int>("--seed") { Description = "Seed of the population and the runs.", DefaultValueFactory = _ => 7 };
        var aa = new Option<int>("--aa") { Description = "Also run this many A/A tests and as many tests with a planted effect (0 = skip).", DefaultValueFactory = _ => 0 };
        var lift = new Option<double>("--lift") { Description = "Planted relative effect for the power check.", DefaultValueFactory = _ => 0.2 };
        var through = new Option<string>("--through")
        {
            Description = "How decisions are made: 'policy' (the policy object directly) or 'decide' (a campaign in the decision service, as POST /v1/decide: decisions logged, clicks fed back as goal events, unclicked decisions settled as 0 after the attribution window; segments travel as the request device, so at most 3).",
            DefaultValueFactory = _ => "policy",
        };
        through.AcceptOnlyFromAmong("policy", "decide");
        foreach (var o in new Option[] { policies, steps, users, segments, variants, fatigue, goal, seed, aa, lift, through })
        {
            command.Options.Add(o);
        }

        command.SetAction(parseResult =>
        {
            var env = CliEnvironment.From(parseResult);
            Population population;
            try
            {
                population = new Population(new PopulationOptions
                {
                    Users = parseResult.GetValue(users),
                    Segments = parseResult.GetValue(segments),
                    Variants = parseResult.GetValue(variants),
                    Fatigue = parseResult.GetValue(fatigue),
                    Seed = parseResult.GetValue(seed),
                });
            }
            catch (ArgumentException ex)
            {
                return env.Fail(ex.Message);
            }

            var n = parseResult.GetValue(steps);
            if (n < 1)
            {
                return env.Fail("--steps must be at least 1.");
            }

            var best = population.BestSingleVariant(out _);
            var single = new BanditSimulation(population, n, parseResult.GetValue(seed), parseResult.GetValue(goal))
                .Run(new PolicyChannel(new FixedSplitPolicy(population.Variants, Enumerable.Range(0, population.Variants).Select(v => v == best ? 1.0 : 0.0).ToArray())));
            var o = env.Output;
            var viaService = parseResult.GetValue(through) == "decide";
            o.WriteLine($"population: {population.Options}");
            o.WriteLine($"steps: {n}, goal: {parseResult.GetValue(goal)}, best single variant: {best}, decisions through: {(viaService ? "the decision service" : "the policy objects")}");
            o.WriteLine();
            o.WriteLine($"{"policy",-44} {"ctr",8} {"conv",8} {"rev/dec",8} {"regret",9} {"lift vs best single",20}");
            foreach (var spec in parseResult.GetValue(policies)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var simulation = new BanditSimulation(population, n, parseResult.GetValue(seed), parseResult.GetValue(goal));
                SimulationResult r;
                try
                {
                    r = viaService ? RunThroughDecisionService(simulation, population, spec, parseResult.GetValue(seed)) : simulation.Run(new PolicyChannel(CreatePolicy(population, spec)));
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    return env.Fail(ex.Message);
                }

                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name,-44} {r.Ctr,8:F4} {r.Conversion,8:F4} {r.RevenuePerDecision,8:F3} {r.Regret,9:F1} {r.LiftOver(single),19:P1}"));
                o.WriteLine("  regret curve: " + string.Join(" ", r.RegretCurve.Select(x => x.ToString("F0", CultureInfo.InvariantCulture))));
            }

            var tests = parseResult.GetValue(aa);
            if (tests > 0)
            {
                RunExperiments(o, population, tests, parseResult.GetValue(lift));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static IBanditPolicy CreatePolicy(Population population, string spec)
    {
        var name = BanditSpec.Parse(spec).Name;
        return BanditPolicies.Create(spec, population.Variants, BanditPolicies.IsContextual(name) ? population.ContextDimension : 0);
    }

    private static SimulationResult RunThroughDecisionService(BanditSimulation simulation, Population population, string spec, int seed)
    {
        var dir = Path.Combine(Path.GetTempPath(), "attune-simulate-" + Guid.NewGuid().ToString("N"));
        try
        {
            var channel = new DecisionServiceChannel(dir, population, spec, seed: seed);
            try
            {
                return simulation.Run(channel);
            }
            finally
            {
                channel.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void RunExperiments(TextWriter o, Population population, int tests, double lift)
    {
        var simulation = new ExperimentSimulation(population);
        var aaPlan = new ExperimentPlan(2000, [1, 1], [0, 0], Batches: 20);
        int fixedHorizon = 0, sequential = 0, groupSequential = 0, peeking = 0, srm = 0;
        for (var i = 0; i < tests; i++)
        {
            var outcome = simulation.Run(aaPlan, "aa-" + i.ToString(CultureInfo.InvariantCulture), i);
            fixedHorizon += outcome.Conversion.Significant ? 1 : 0;
            sequential += outcome.SequentialRejected ? 1 : 0;
            groupSequential += outcome.GroupSequential.Rejected ? 1 : 0;
            peeking += outcome.PeekingRejected ? 1 : 0;
            srm += outcome.SampleRatio.Mismatch ? 1 : 0;
        }

        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tests} A/A tests ({aaPlan}):"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  z-test at the end: {(double)fixedHorizon / tests:P1} significant at alpha 0.05"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  group-sequential test ({aaPlan.Spending} spending, 20 planned looks) checked after each batch: {(double)groupSequential / tests:P1}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  always-valid mSPRT checked after each of 20 batches: {(double)sequential / tests:P1}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  z-test checked after each of 20 batches (peeking): {(double)peeking / tests:P1}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sample-ratio mismatch flagged: {srm}"));

        var p0 = simulation.TrueConversion(0);
        var p1 = simulation.TrueConversion(lift);
        var perGroup = Power.SampleSizeProportions(p0, p1);
        var predicted = Power.PowerProportions(p0, p1, perGroup);
        var plan = new ExperimentPlan((int)(2 * perGroup), [1, 1], [0, lift], Batches: 1);
        var detected = 0;
        double rawVar = 0, cupedVar = 0;
        for (var i = 0; i < tests; i++)
        {
            var outcome = simulation.Run(plan, "power-" + i.ToString(CultureInfo.InvariantCulture), 1_000_000 + i);
            detected += outcome.Conversion.Significant && outcome.Conversion.Difference > 0 ? 1 : 0;
            rawVar += outcome.Clicks.StandardError * outcome.Clicks.StandardError;
            cupedVar += outcome.Cuped.Test.StandardError * outcome.Cuped.Test.StandardError;
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tests} tests with a planted lift of {lift:P0} on clicks (conversion {p0:F4} -> {p1:F4}), {perGroup} users per group from the calculator:"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  predicted power {predicted:P1}, observed {(double)detected / tests:P1}"));
        var sequentialPlan = plan with { Batches = 20 };
        int sequentialDetected = 0, fixedDetected = 0;
        long users = 0;
        for (var i = 0; i < tests; i++)
        {
            var outcome = simulation.Run(sequentialPlan, "gs-power-" + i.ToString(CultureInfo.InvariantCulture), 2_000_000 + i);
            sequentialDetected += outcome.GroupSequential.Rejected && outcome.GroupSequential.Difference > 0 ? 1 : 0;
            fixedDetected += outcome.Conversion.Significant && outcome.Conversion.Difference > 0 ? 1 : 0;
            users += outcome.GroupSequential.UsersAtStop;
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  group-sequential with 20 looks: power {(double)sequentialDetected / tests:P1} (fixed horizon on the same runs {(double)fixedDetected / tests:P1}), mean users at the stop {(double)users / tests:F0} of {plan.Users}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  CUPED (pre-period clicks): variance of the clicks-per-user effect {cupedVar / rawVar:P1} of the unadjusted"));
    }
}
