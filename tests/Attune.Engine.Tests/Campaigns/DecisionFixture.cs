using System.Text.Json;
using Attune.Core;
using Attune.Engine.Campaigns;
using Attune.Engine.Options;
using Attune.TestSupport;

namespace Attune.Engine.Tests.Campaigns;

/// <summary>A decision service over a private data folder, a settable clock and in-memory users.</summary>
internal sealed class DecisionFixture : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly bool _ownsDir;

    public DecisionFixture(CampaignOptions? options = null, TempDirectory? dir = null, ManualClock? clock = null)
    {
        _ownsDir = dir is null;
        _dir = dir ?? new TempDirectory();
        Clock = clock ?? new ManualClock(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        Options = options ?? new CampaignOptions();
        var root = Path.Combine(_dir.Path, "campaigns");
        Campaigns = new CampaignRepository(root, clock: Clock);
        Log = new DecisionLog(Path.Combine(root, "decisions"), Options.DecisionLogRetentionDays, Clock);
        Service = new DecisionService(Campaigns, new CampaignPolicies(Path.Combine(root, "policies")), Log, Subjects, null, Options, Clock);
    }

    public TempDirectory Dir => _dir;

    public ManualClock Clock { get; }

    public CampaignOptions Options { get; }

    public CampaignRepository Campaigns { get; }

    public DecisionLog Log { get; }

    public DecisionService Service { get; }

    public MemorySubjects Subjects { get; } = new();

    public static CampaignDefinition Campaign(
        string id,
        string placement = "home_banner",
        string channel = "web",
        int priority = 0,
        string? audience = null,
        string policy = "thompson",
        FrequencyCapDefinition? cap = null,
        ScheduleDefinition? schedule = null,
        params string[] templates) =>
        new(id, null, placement, channel, audience, null,
            (templates.Length == 0 ? ["A {{user.first_name | default: \"there\"}}", "B"] : templates)
                .Select((t, i) => (VariantDefinition?)new VariantDefinition($"v{i}", t, null)).ToList(),
            EventTypes.Click, schedule, priority, new PolicyDefinition(policy, null), cap, null);

    public CompiledCampaign Add(CampaignDefinition definition)
    {
        var result = Campaigns.Save(definition);
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Message}")));
        return result.Campaign!;
    }

    public async Task<Decision> DecideAsync(string user, string placement, string? device = null) =>
        (await DecideManyAsync(user, [placement], device))[0];

    public async Task<IReadOnlyList<Decision>> DecideManyAsync(string user, string[] placements, string? device = null)
    {
        var context = device is null ? null : new Dictionary<string, JsonElement> { ["device"] = JsonSerializer.SerializeToElement(device) };
        return await Service.DecideAsync(new DecisionRequest(user, placements, context));
    }

    public Event Goal(Decision decision, string user, string type = EventTypes.Click, TimeSpan? after = null) =>
        new(null, user, null, type, null, Clock.GetUtcNow() + (after ?? TimeSpan.FromSeconds(5)), Context: new EventContext(DecisionId: decision.DecisionId));

    public async ValueTask DisposeAsync()
    {
        await Log.DisposeAsync();
        if (_ownsDir)
        {
            _dir.Dispose();
        }
    }
}

internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

internal sealed class MemorySubjects : IDecisionSubjects
{
    private readonly Dictionary<string, User> _users = new(StringComparer.Ordinal);

    public void Add(string id, bool marketing = false, params (string Name, object Value)[] attributes)
    {
        var attrs = attributes.ToDictionary(a => a.Name, a => JsonSerializer.SerializeToElement(a.Value), StringComparer.Ordinal);
        _users[id] = new User(id, attrs, new Consent(new ConsentChoice(true, null), new ConsentChoice(marketing, null)));
    }

    public ValueTask<DecisionSubject> ResolveAsync(string userId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new DecisionSubject(userId, null, _users.GetValueOrDefault(userId)));
}
