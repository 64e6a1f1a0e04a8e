namespace Attune.Engine.Options;

/// <summary>
/// Data-quality rules applied to events before they shape profiles (section <c>Attune:Quality</c>): bot and crawler
/// filtering, near-duplicate removal and sessionization. The event log keeps every event; these rules decide what
/// profiles learn from, and their counts appear in <c>GET /v1/stats</c> under <c>quality</c>. See docs/profiles.md.
/// </summary>
public sealed record DataQualityOptions
{
    /// <summary>
    /// A user with more events than this in one clock minute (UTC) is flagged as a bot; 0 turns the rate rule off. Only the
    /// user's latest minute is counted, so events arriving more than a minute late do not count toward the rate.
    /// </summary>
    public int BotMaxEventsPerMinute { get; init; } = 120;

    /// <summary>
    /// Case-insensitive substrings that mark a bot when found in the event's <c>context.device</c> or in its
    /// <c>user_agent</c> / <c>userAgent</c> property.
    /// </summary>
    public IReadOnlyList<string> BotPatterns { get; init; } =
        ["bot", "crawler", "spider", "slurp", "headless", "phantomjs", "python-requests", "curl/", "wget/", "scrapy"];

    /// <summary>Events of the same user, item and type within the same window of this length count once; zero turns it off.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A gap longer than this between two events of a user starts a new session.</summary>
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How far back (behind a user's latest event) the duplicate check remembers (at most the last 32 keys per user);
    /// older late events are not checked.
    /// </summary>
    public TimeSpan CheckRetention { get; init; } = TimeSpan.FromHours(1);

    internal void Validate(List<string> errors)
    {
        if (BotMaxEventsPerMinute is < 0 or > 1_000_000)
        {
            errors.Add($"Attune:Quality:BotMaxEventsPerMinute must be between 0 and 1000000 (got {BotMaxEventsPerMinute}).");
        }

        for (var i = 0; i < BotPatterns.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(BotPatterns[i]))
            {
                errors.Add($"Attune:Quality:BotPatterns:{i} must not be empty.");
            }
        }

        if (DuplicateWindow < TimeSpan.Zero || DuplicateWindow > TimeSpan.FromHours(1))
        {
            errors.Add($"Attune:Quality:DuplicateWindow must be between 00:00:00 and 01:00:00 (got {DuplicateWindow}).");
        }

        if (SessionGap < TimeSpan.FromSeconds(1) || SessionGap > TimeSpan.FromDays(1))
        {
            errors.Add($"Attune:Quality:SessionGap must be between 00:00:01 and 1.00:00:00 (got {SessionGap}).");
        }

        if (CheckRetention < TimeSpan.FromMinutes(1) || CheckRetention > TimeSpan.FromDays(7))
        {
            errors.Add($"Attune:Quality:CheckRetention must be between 00:01:00 and 7.00:00:00 (got {CheckRetention}).");
        }
    }

    public override string ToString() =>
        $"DataQualityOptions {{ BotMaxEventsPerMinute = {BotMaxEventsPerMinute}, BotPatterns = [{string.Join(", ", BotPatterns)}], " +
        $"DuplicateWindow = {DuplicateWindow}, SessionGap = {SessionGap}, CheckRetention = {CheckRetention} }}";
}
