using System.Globalization;
using Attune.Core;

namespace Attune.Engine.Options;

/// <summary>The live recommendation service: real-time state bounds, candidate sources, filters and ranking defaults.</summary>
public sealed record ServingOptions
{
    /// <summary>Most users whose recent activity is kept in memory (least recently used evicted; reloaded from the event log on demand).</summary>
    public int MaxUsers { get; init; } = 100_000;

    /// <summary>Most recent events kept per user (fold-in, item-kNN candidates and the seen filter use these).</summary>
    public int HistoryLength { get; init; } = 200;

    /// <summary>
    /// Most recent events used to fold a user into a factor model when they acted since its snapshot (ALS fold-in costs
    /// O(events x factors^2)).
    /// </summary>
    public int FoldInEvents { get; init; } = 50;

    /// <summary>How many of a user's latest distinct items seed item-kNN and content candidates.</summary>
    public int RecentItems { get; init; } = 5;

    /// <summary>Events in the same session (or within <see cref="SessionGap"/> when events carry no session id) form the session context.</summary>
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Which event types hide an item from that user's recommendations, and for how long after the event
    /// (e.g. <c>purchase: 365.00:00:00</c>). Types not listed never hide an item.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> ExcludeSeen { get; init; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        [EventTypes.View] = TimeSpan.FromDays(30),
        [EventTypes.Click] = TimeSpan.FromDays(30),
        [EventTypes.AddToCart] = TimeSpan.FromDays(30),
        [EventTypes.Purchase] = TimeSpan.FromDays(365),
        [EventTypes.Rating] = TimeSpan.FromDays(3650),
        [EventTypes.Dislike] = TimeSpan.FromDays(3650),
    };

    /// <summary>Candidates taken from each source before blending.</summary>
    public int CandidatesPerSource { get; init; } = 200;

    /// <summary>Blend weight of each source (main, item-knn, sequence, content, trending, popularity, new); missing names weigh 0.</summary>
    public IReadOnlyDictionary<string, double> SourceWeights { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["main"] = 1.0,
        ["item-knn"] = 0.6,
        ["sequence"] = 0.5,
        ["content"] = 0.4,
        ["trending"] = 0.15,
        ["popularity"] = 0.1,
        ["new"] = 0.2,
    };

    /// <summary>Above this many items, factor-model scoring searches the HNSW index instead of scanning every item.</summary>
    public int AnnThreshold { get; init; } = 200_000;

    /// <summary>HNSW beam width at query time (the index is built with M = 16, efConstruction = 100).</summary>
    public int AnnEfSearch { get; init; } = 100;

    /// <summary>Half-life of the live trending counters.</summary>
    public TimeSpan TrendingHalfLife { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How far back the live popularity counters are filled from the event log at start-up.</summary>
    public TimeSpan CountersWarmup { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Items created within this age are "new" (reason "new in Z", exploration pool).</summary>
    public TimeSpan NewItemAge { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Default MMR trade-off (1 = relevance only); <c>diversity=</c> overrides it per request.</summary>
    public double DiversityLambda { get; init; } = 0.8;

    /// <summary>Default cap on items sharing one category in a list (0 = none).</summary>
    public int MaxPerCategory { get; init; }

    /// <summary>Default share of slots for new or under-exposed items, 0 to 0.5.</summary>
    public double ExplorationShare { get; init; }

    /// <summary>Items ranked and cached per recommendation (what a cursor can page through).</summary>
    public int ListLength { get; init; } = 100;

    /// <summary>Expression every recommended item must satisfy, e.g. <c>not tags contains "adult"</c>.</summary>
    public string? GlobalFilter { get; init; }

    /// <summary>Boost, bury and pin rules applied to every request, before the request's own.</summary>
    public IReadOnlyList<RuleOptions> Rules { get; init; } = [];

    /// <summary>Most recommendation lists remembered for online metrics (which version and source produced each item).</summary>
    public int MetricsLedgerCapacity { get; init; } = 200_000;

    /// <summary>Most users in one <c>POST /v1/recommendations</c>.</summary>
    public int MaxBatchUsers { get; init; } = 1000;

    /// <summary>The per-user result cache (on by default; <c>MaxEntries</c> or <c>TtlSeconds</c> 0 turns it off).</summary>
    public ResultCacheOptions ResultCache { get; init; } = new();

    internal void Validate(List<string> errors)
    {
        void Range(string name, double value, double min, double max)
        {
            if (!(value >= min && value <= max))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Attune:Serving:{name} must be between {min} and {max} (got {value})."));
            }
        }

        Range(nameof(MaxUsers), MaxUsers, 1, 100_000_000);
        Range(nameof(HistoryLength), HistoryLength, 1, 100_000);
        Range(nameof(RecentItems), RecentItems, 0, 100);
        Range(nameof(FoldInEvents), FoldInEvents, 1, 100_000);
        Range(nameof(CandidatesPerSource), CandidatesPerSource, 1, 100_000);
        Range(nameof(AnnThreshold), AnnThreshold, 1, int.MaxValue);
        Range(nameof(AnnEfSearch), AnnEfSearch, 1, 10_000);
        Range(nameof(DiversityLambda), DiversityLambda, 0, 1);
        Range(nameof(MaxPerCategory), MaxPerCategory, 0, 1_000);
        Range(nameof(ExplorationShare), ExplorationShare, 0, 0.5);
        Range(nameof(ListLength), ListLength, 1, 10_000);
        Range(nameof(MetricsLedgerCapacity), MetricsLedgerCapacity, 1, 100_000_000);
        Range(nameof(MaxBatchUsers), MaxBatchUsers, 1, 100_000);
        foreach (var (name, span) in new[] { (nameof(SessionGap), SessionGap), (nameof(TrendingHalfLife), TrendingHalfLife), (nameof(NewItemAge), NewItemAge) })
        {
            if (span <= TimeSpan.Zero)
            {
                errors.Add($"Attune:Serving:{name} must be positive (got {span}).");
            }
        }

        ResultCache.Validate(errors);
        if (CountersWarmup < TimeSpan.Zero)
        {
            errors.Add($"Attune:Serving:CountersWarmup must not be negative (got {CountersWarmup}).");
        }

        foreach (var (type, window) in ExcludeSeen)
        {
            if (window < TimeSpan.Zero)
            {
                errors.Add($"Attune:Serving:ExcludeSeen:{type} must not be negative (got {window}).");
            }
        }

        foreach (var (source, weight) in SourceWeights)
        {
            if (!double.IsFinite(weight) || weight < 0)
            {
                errors.Add($"Attune:Serving:SourceWeights:{source} must be a finite number >= 0 (got {weight}).");
            }
        }

        for (var i = 0; i < Rules.Count; i++)
        {
            var r = Rules[i];
            if (r.Action is not ("boost" or "bury" or "pin"))
            {
                errors.Add($"Attune:Serving:Rules:{i}:Action must be boost, bury or pin (got '{r.Action}').");
            }

            if (string.IsNullOrWhiteSpace(r.Condition))
            {
                errors.Add($"Attune:Serving:Rules:{i}:Condition must be an expression.");
            }

            if (!double.IsFinite(r.Multiply) || !double.IsFinite(r.Add) || r.Position < 0)
            {
                errors.Add($"Attune:Serving:Rules:{i}: Multiply and Add must be finite and Position >= 0.");
            }
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"ServingOptions {{ MaxUsers = {MaxUsers}, HistoryLength = {HistoryLength}, FoldInEvents = {FoldInEvents}, RecentItems = {RecentItems}, SessionGap = {SessionGap}, " +
            $"ExcludeSeen = [{string.Join(", ", ExcludeSeen.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"))}], " +
            $"CandidatesPerSource = {CandidatesPerSource}, " +
            $"SourceWeights = [{string.Join(", ", SourceWeights.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"))}], " +
            $"AnnThreshold = {AnnThreshold}, AnnEfSearch = {AnnEfSearch}, TrendingHalfLife = {TrendingHalfLife}, CountersWarmup = {CountersWarmup}, " +
            $"NewItemAge = {NewItemAge}, DiversityLambda = {DiversityLambda}, MaxPerCategory = {MaxPerCategory}, ExplorationShare = {ExplorationShare}, " +
            $"ListLength = {ListLength}, GlobalFilter = {GlobalFilter ?? "none"}, " +
            $"Rules = [{string.Join(", ", Rules)}], MetricsLedgerCapacity = {MetricsLedgerCapacity}, MaxBatchUsers = {MaxBatchUsers}, ResultCache = {ResultCache} }}");
}

/// <summary>One global merchandising rule.</summary>
public sealed record RuleOptions
{
    /// <summary><c>boost</c>, <c>bury</c> or <c>pin</c>.</summary>
    public string Action { get; init; } = "boost";

    /// <summary>Expression over item fields, e.g. <c>tags contains "sale"</c>.</summary>
    public string Condition { get; init; } = string.Empty;

    public double Multiply { get; init; } = 1;

    public double Add { get; init; }

    public int Position { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Action}({Condition}; x{Multiply} +{Add} @{Position})");
}
