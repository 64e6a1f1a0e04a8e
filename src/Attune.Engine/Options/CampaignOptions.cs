namespace Attune.Engine.Options;

/// <summary>Campaign decisions: attention budget, reward attribution and the decisions log (section <c>Attune:Campaigns</c>).</summary>
public sealed record CampaignOptions
{
    /// <summary>Caps per user across all campaigns; <c>Channel</c> <c>*</c> counts every channel.</summary>
    public IReadOnlyList<FrequencyCapOptions> FrequencyCaps { get; init; } =
    [
        new FrequencyCapOptions { Channel = "email", Max = 2, Period = TimeSpan.FromDays(7) },
        new FrequencyCapOptions { Channel = "push", Max = 1, Period = TimeSpan.FromDays(1) },
    ];

    /// <summary>How long after a decision a goal event carrying its id still counts as its reward.</summary>
    public TimeSpan AttributionWindow { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Decisions in a row on one channel without a reward after which the user rests; 0 turns fatigue off.</summary>
    public int FatigueAfterIgnored { get; init; } = 5;

    /// <summary>How long a fatigued user gets nothing on that channel (counted from the last decision).</summary>
    public TimeSpan FatigueCooldown { get; init; } = TimeSpan.FromDays(3);

    /// <summary>Days of decisions log kept; older daily files are deleted.</summary>
    public int DecisionLogRetentionDays { get; init; } = 30;

    /// <summary>How often changed policy state is written to the data folder (and always on shutdown).</summary>
    public TimeSpan StateSaveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most placements in one <c>POST /v1/decide</c>.</summary>
    public int MaxPlacementsPerRequest { get; init; } = 20;

    /// <summary>Longest rendered content of one variant, in characters.</summary>
    public int MaxContentLength { get; init; } = 16_384;

    internal void Validate(List<string> errors)
    {
        for (var i = 0; i < FrequencyCaps.Count; i++)
        {
            var cap = FrequencyCaps[i];
            if (cap.Channel != "*" && !Core.Channels.All.Contains(cap.Channel))
            {
                errors.Add($"Attune:Campaigns:FrequencyCaps:{i}:Channel '{cap.Channel}' is not a channel; use web, app, email, push, store or *.");
            }

            if (cap.Max is < 0 or > 100_000)
            {
                errors.Add($"Attune:Campaigns:FrequencyCaps:{i}:Max must be between 0 and 100000 (got {cap.Max}).");
            }

            if (cap.Period <= TimeSpan.Zero || cap.Period > TimeSpan.FromDays(366))
            {
                errors.Add($"Attune:Campaigns:FrequencyCaps:{i}:Period must be between 00:00:01 and 366.00:00:00 (got {cap.Period}).");
            }
        }

        if (AttributionWindow <= TimeSpan.Zero || AttributionWindow > TimeSpan.FromDays(90))
        {
            errors.Add($"Attune:Campaigns:AttributionWindow must be between 00:00:01 and 90.00:00:00 (got {AttributionWindow}).");
        }

        if (FatigueAfterIgnored is < 0 or > 10_000)
        {
            errors.Add($"Attune:Campaigns:FatigueAfterIgnored must be between 0 (off) and 10000 (got {FatigueAfterIgnored}).");
        }

        if (FatigueCooldown < TimeSpan.Zero || FatigueCooldown > TimeSpan.FromDays(366))
        {
            errors.Add($"Attune:Campaigns:FatigueCooldown must be between 00:00:00 and 366.00:00:00 (got {FatigueCooldown}).");
        }

        if (DecisionLogRetentionDays is < 1 or > 3650)
        {
            errors.Add($"Attune:Campaigns:DecisionLogRetentionDays must be between 1 and 3650 (got {DecisionLogRetentionDays}).");
        }

        if (StateSaveInterval < TimeSpan.FromSeconds(1) || StateSaveInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"Attune:Campaigns:StateSaveInterval must be between 00:00:01 and 1.00:00:00 (got {StateSaveInterval}).");
        }

        if (MaxPlacementsPerRequest is < 1 or > 1000)
        {
            errors.Add($"Attune:Campaigns:MaxPlacementsPerRequest must be between 1 and 1000 (got {MaxPlacementsPerRequest}).");
        }

        if (MaxContentLength is < 16 or > 1024 * 1024)
        {
            errors.Add($"Attune:Campaigns:MaxContentLength must be between 16 and 1048576 (got {MaxContentLength}).");
        }
    }

    public override string ToString() =>
        $"CampaignOptions {{ FrequencyCaps = [{string.Join(", ", FrequencyCaps)}], AttributionWindow = {AttributionWindow}, " +
        $"FatigueAfterIgnored = {FatigueAfterIgnored}, FatigueCooldown = {FatigueCooldown}, DecisionLogRetentionDays = {DecisionLogRetentionDays}, " +
        $"StateSaveInterval = {StateSaveInterval}, MaxPlacementsPerRequest = {MaxPlacementsPerRequest}, MaxContentLength = {MaxContentLength} }}";
}

/// <summary>At most <see cref="Max"/> decisions per user on <see cref="Channel"/> in any window of <see cref="Period"/>.</summary>
public sealed record FrequencyCapOptions
{
    public string Channel { get; init; } = "*";

    public int Max { get; init; } = 1;

    public TimeSpan Period { get; init; } = TimeSpan.FromDays(1);

    public override string ToString() => $"{Channel}: {Max} per {Period}";
}
