using System.Globalization;
using System.Text.Json;
using Attune.Algorithms.Bandits;
using Attune.Core;
using Attune.Engine.Feedback;
using Attune.Engine.Options;
using Attune.Experiments.Simulation;

namespace Attune.Engine.Campaigns;

/// <summary>
/// Simulated traffic through the production decision stack: a campaign with one variant per population variant is
/// saved in a <see cref="CampaignRepository"/>, every step is a <see cref="DecisionService.DecideAsync"/> call (the
/// code path of <c>POST /v1/decide</c>: campaign lookup, attention budget, policy choice, template render, decision
/// log), and a click goes back as a goal event carrying the decision id through <see cref="DecisionRewardObserver"/>
/// (what the event feed does for <c>POST /v1/events</c>). Decisions that earn nothing within the attribution window
/// are settled as reward 0 by <see cref="DecisionService.SettleExpired"/>, as the host's maintenance does.
/// </summary>
/// <remarks>
/// The simulation owns time: each step advances a private clock by <see cref="Step"/>, so the attribution window
/// (<see cref="AttributionSteps"/> steps) delays learning from zero rewards as in production. A user's taste segment
/// reaches contextual policies the way real context does: as the request's <c>device</c> (segment 0, 1, 2 =
/// mobile, desktop, tablet; <see cref="DecisionFeatures"/>), so at most three segments. Frequency caps and fatigue
/// are off (the simulator's users return far more often than real ones). The service's generator is seeded, so a
/// run repeats exactly.
/// Cost per step: one decision (see <see cref="DecisionService"/>) plus O(pending / settle interval).
/// </remarks>
public sealed class DecisionServiceChannel : IDecisionChannel, IAsyncDisposable
{
    public const string Placement = "simulation";
    public const string CampaignId = "simulation";

    private static readonly string[] Devices = ["mobile", "desktop", "tablet"];

    private readonly Population _population;
    private readonly SimulationClock _clock;
    private readonly DecisionRewardObserver _rewards;
    private readonly Dictionary<string, int> _variantIndex = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, JsonElement>[] _contexts;
    private string? _lastDecision;
    private int _steps;

    /// <param name="directory">A folder for the campaign, the policy state and the decisions log (the caller cleans it up).</param>
    /// <param name="policySpec">A bandit spec such as <c>thompson:samples=20</c> or <c>linucb:alpha=0.3</c>.</param>
    /// <param name="attributionSteps">Steps after which an unrewarded decision counts as reward 0.</param>
    /// <param name="seed">Seed of the generator the policy draws from inside the service.</param>
    public DecisionServiceChannel(string directory, Population population, string policySpec, int attributionSteps = 50, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attributionSteps, 1);
        if (population.Options.Segments > Devices.Length)
        {
            throw new ArgumentException($"The decision-service channel carries a user's segment as the request device, so it supports at most {Devices.Length} segments; the population has {population.Options.Segments}.", nameof(population));
        }

        if (population.Variants > CampaignCompiler.MaxVariants)
        {
            throw new ArgumentException($"A campaign has at most {CampaignCompiler.MaxVariants} variants; the population has {population.Variants}.", nameof(population));
        }

        _population = population;
        AttributionSteps = attributionSteps;
        _clock = new SimulationClock(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));
        var options = new CampaignOptions
        {
            FrequencyCaps = [],
            FatigueAfterIgnored = 0,
            AttributionWindow = Step * attributionSteps,
        };
        var root = Path.Combine(directory, "campaigns");
        Campaigns = new CampaignRepository(root, clock: _clock);
        Log = new DecisionLog(Path.Combine(root, "decisions"), options.DecisionLogRetentionDays, _clock);
        Service = new DecisionService(Campaigns, new CampaignPolicies(Path.Combine(root, "policies")), Log, new AnonymousSubjects(), null, options, _clock)
        {
            Random = new Random(seed),
        };
        _rewards = new DecisionRewardObserver(Service);

        var saved = Campaigns.Save(Definition(population.Variants, policySpec));
        if (!saved.IsValid)
        {
            throw new ArgumentException($"Policy '{policySpec}': " + string.Join("; ", saved.Errors.Select(e => $"{e.Key} {e.Message}")), nameof(policySpec));
        }

        Campaign = saved.Campaign!;
        for (var v = 0; v < population.Variants; v++)
        {
            _variantIndex[VariantId(v)] = v;
        }

        _contexts = new IReadOnlyDictionary<string, JsonElement>[Devices.Length];
        for (var d = 0; d < Devices.Length; d++)
        {
            _contexts[d] = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { ["device"] = JsonSerializer.SerializeToElement(Devices[d]) };
        }
    }

    /// <summary>Simulated time between two decisions.</summary>
    public static TimeSpan Step { get; } = TimeSpan.FromSeconds(1);

    public int AttributionSteps { get; }

    public CampaignRepository Campaigns { get; }

    public DecisionLog Log { get; }

    public DecisionService Service { get; }

    public CompiledCampaign Campaign { get; }

    public string Name => "decide:" + Campaign.PolicySpec;

    /// <summary>The simulated time now.</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    public int Decide(int user, ReadOnlySpan<double> context, Random rng, out double propensity)
    {
        var device = _contexts[_population.Segment[user]];
        var request = new DecisionRequest(_population.UserIds[user], [Placement], device);
        var pending = Service.DecideAsync(request);
        var decision = (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult())[0];
        if (!decision.ShowsSomething)
        {
            throw new InvalidOperationException($"The decision service showed nothing to {request.UserId}: {decision.Reason} ({decision.Detail}).");
        }

        _lastDecision = decision.DecisionId;
        propensity = decision.Propensity ?? 1;
        return _variantIndex[decision.VariantId!];
    }

    public void Reward(int user, int variant, ReadOnlySpan<double> context, double reward)
    {
        if (reward > 0 && _lastDecision is { } id)
        {
            var click = new Event(null, _population.UserIds[user], null, EventTypes.Click, null, _clock.GetUtcNow(), Context: new EventContext(DecisionId: id));
            _rewards.OnAppended([click]);
        }

        _lastDecision = null;
        _clock.Advance(Step);
        if (++_steps % 10 == 0)
        {
            Service.SettleExpired();
        }
    }

    /// <summary>Advances past the attribution window and settles every decision still open.</summary>
    public int SettleAll()
    {
        _clock.Advance(Step * (AttributionSteps + 1));
        return Service.SettleExpired();
    }

    public async ValueTask DisposeAsync() => await Log.DisposeAsync();

    /// <summary>The campaign the channel serves: one variant per population variant, goal <c>click</c>, the given policy.</summary>
    public static CampaignDefinition Definition(int variants, string policySpec)
    {
        var spec = BanditSpec.Parse(policySpec);
        var options = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in spec.Parameters)
        {
            var numbers = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"Policy spec \"{policySpec}\": {key}={value} is not a number or a list of numbers."))
                .ToArray();
            options[key] = numbers.Length == 1 ? JsonSerializer.SerializeToElement(numbers[0]) : JsonSerializer.SerializeToElement(numbers);
        }

        var list = new List<VariantDefinition?>();
        for (var v = 0; v < variants; v++)
        {
            list.Add(new VariantDefinition(VariantId(v), "variant " + v.ToString(CultureInfo.InvariantCulture), null));
        }

        return new CampaignDefinition(CampaignId, "Simulated campaign", Placement, "web", null, null, list, EventTypes.Click, null, 0,
            new PolicyDefinition(spec.Name, options), null, null);
    }

    private static string VariantId(int v) => "v" + v.ToString(CultureInfo.InvariantCulture);

    private sealed class AnonymousSubjects : IDecisionSubjects
    {
        public ValueTask<DecisionSubject> ResolveAsync(string userId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new DecisionSubject(userId, null, null));
    }

    private sealed class SimulationClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
