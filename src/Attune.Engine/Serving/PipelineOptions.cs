namespace Attune.Engine.Serving;

/// <summary>Configuration of the ranking pipeline; <see cref="ToString"/> lists every parameter for logs.</summary>
/// <param name="Normalization">How each source's scores are scaled before weighting.</param>
/// <param name="ListLength">How many items are ranked and cached per recommendation: the most a client can page through.</param>
/// <param name="MaxPageSize">Largest page a request may ask for.</param>
/// <param name="Diversity">MMR and category cap applied when the request does not override them.</param>
/// <param name="Exploration">Share of slots for exploration items when the request does not override it.</param>
/// <param name="DropUnavailable">Filter out items whose <c>available</c> is false.</param>
/// <param name="GlobalFilter">Expression every recommended item must satisfy (e.g. <c>not tags contains "adult"</c>), or null.</param>
/// <param name="GlobalRules">Boost, bury and pin rules applied to every request, before the request's own.</param>
/// <param name="CursorLifetimeSeconds">How long a ranked list and its cursors stay valid.</param>
/// <param name="CacheCapacity">Most ranked lists kept for paging (least recently used evicted).</param>
public sealed record PipelineOptions(
    ScoreNormalization Normalization = ScoreNormalization.Max,
    int ListLength = 100,
    int MaxPageSize = 100,
    DiversityOptions? Diversity = null,
    ExplorationOptions? Exploration = null,
    bool DropUnavailable = true,
    string? GlobalFilter = null,
    IReadOnlyList<BusinessRule>? GlobalRules = null,
    int CursorLifetimeSeconds = 1800,
    int CacheCapacity = 10_000)
{
    public DiversityOptions Diversity { get; init; } = Diversity ?? new DiversityOptions();

    public ExplorationOptions Exploration { get; init; } = Exploration ?? ExplorationOptions.Off;

    public IReadOnlyList<BusinessRule> GlobalRules { get; init; } = GlobalRules ?? [];

    public TimeSpan CursorLifetime => TimeSpan.FromSeconds(CursorLifetimeSeconds);

    public void Validate()
    {
        if (ListLength <= 0 || MaxPageSize <= 0 || CacheCapacity <= 0)
        {
            throw new ArgumentException($"ListLength, MaxPageSize and CacheCapacity must be > 0 ({this})");
        }

        if (CursorLifetimeSeconds <= 0)
        {
            throw new ArgumentException($"CursorLifetimeSeconds must be positive ({this})");
        }

        Diversity.Validate("diversity");
        Exploration.Validate("exploration");
    }

    public override string ToString() =>
        $"PipelineOptions {{ Normalization = {Normalization}, ListLength = {ListLength}, MaxPageSize = {MaxPageSize}, " +
        $"Diversity = {Diversity}, Exploration = {Exploration}, DropUnavailable = {DropUnavailable}, " +
        $"GlobalFilter = {GlobalFilter ?? "none"}, GlobalRules = [{string.Join(", ", GlobalRules)}], " +
        $"CursorLifetimeSeconds = {CursorLifetimeSeconds}, CacheCapacity = {CacheCapacity} }}";
}

/// <summary>One recommendation request, after the service has gathered candidates from the models.</summary>
/// <param name="RequestId">Caller's id for the request; seeds exploration, so the same id gives the same exploration items.</param>
/// <param name="Sources">Candidates per source with their weights.</param>
/// <param name="Count">Page size.</param>
/// <param name="Seen">Item indices the user has already seen or bought.</param>
/// <param name="Exclude">Item indices the caller explicitly excludes.</param>
/// <param name="Filter">Expression recommended items must satisfy, on top of the global filter.</param>
/// <param name="Rules">Rules applied after the global rules.</param>
/// <param name="ExplorationPool">Fresh or under-exposed item indices that exploration slots draw from.</param>
/// <param name="Diversity">Overrides the pipeline's diversity options.</param>
/// <param name="Exploration">Overrides the pipeline's exploration options.</param>
public sealed record RecommendationRequest(
    string RequestId,
    IReadOnlyList<CandidateSource> Sources,
    int Count = 10,
    IReadOnlySet<int>? Seen = null,
    IReadOnlySet<int>? Exclude = null,
    string? Filter = null,
    IReadOnlyList<BusinessRule>? Rules = null,
    IReadOnlyList<int>? ExplorationPool = null,
    DiversityOptions? Diversity = null,
    ExplorationOptions? Exploration = null);

/// <summary>An item in a response.</summary>
/// <param name="Index">Dense item index.</param>
/// <param name="Position">0-based position in the whole ranked list (not the page).</param>
/// <param name="Source">The source that contributed most, <c>exploration</c> for exploration slots.</param>
public sealed record RecommendedItem(string ItemId, int Index, int Position, double Score, string Source, Reason? Reason);

/// <param name="RecommendationId">Identity of the ranked list; clients report it with feedback events.</param>
/// <param name="NextCursor">Cursor for the next page, or null at the end of the list.</param>
public sealed record RecommendationResponse(string RecommendationId, IReadOnlyList<RecommendedItem> Items, string? NextCursor);
