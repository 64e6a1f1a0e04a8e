using System.Security.Cryptography;
using System.Text.Json;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Content;
using Attune.Core;
using Attune.Engine.Feedback;
using Attune.Engine.Models;
using Attune.Engine.Options;
using Attune.Engine.Privacy;
using Attune.Engine.Realtime;
using Attune.Engine.Serving;
using Attune.Numerics.Ann;
using Attune.Storage;

namespace Attune.Engine.Recommendations;

/// <summary>No model is active, and the request needs one (similar items).</summary>
public sealed class NoActiveModelException(string message) : Exception(message)
{
    public NoActiveModelException()
        : this("no model is active yet")
    {
    }

    public NoActiveModelException(string message, Exception innerException)
        : this(message) => _ = innerException;
}

/// <summary>
/// The live recommendation service: keeps each active user's recent events and the live popularity counters in
/// memory as events arrive (so the next request reflects an event at once, without retraining), follows catalog
/// changes, gathers candidates from the active <see cref="ServingModel"/>, ranks them with the
/// <see cref="RecommendationPipeline"/> and records what it served for online metrics. The in-memory history is user
/// data: it is dropped when the user is erased or withdraws personalization consent, and listed in their export.
/// Thread-safe.
/// </summary>
public sealed class RecommendationService : IEventObserver, ICatalogObserver, IModelWarmup, IUserDataHolder
{
    private readonly ServingOptions _options;
    private readonly ActiveModel _active;
    private readonly LiveCatalog _catalog;
    private readonly Func<IAttuneStore> _store;
    private readonly EventTypeRegistry _types;
    private readonly TimeProvider _clock;
    private readonly UserActivityCache _users;
    private readonly LiveCounters _counters;
    private readonly ModelStates _states;
    private readonly CandidateGenerator _generator;
    private readonly RankedListCache _lists;
    private readonly ResultCache _results;
    private readonly byte[] _cursorKey = RandomNumberGenerator.GetBytes(32);
    private readonly PipelineOptions _pipelineOptions;
    private PipelineHolder? _pipeline;

    public RecommendationService(
        ServingOptions options,
        ActiveModel active,
        LiveCatalog catalog,
        Func<IAttuneStore> store,
        EventTypeRegistry types,
        OnlineMetrics metrics,
        TimeProvider? clock = null,
        Action<ServingModel, Exception>? onAnnError = null)
    {
        _options = options;
        _active = active;
        _catalog = catalog;
        _store = store;
        _types = types;
        Metrics = metrics;
        _clock = clock ?? TimeProvider.System;
        _users = new UserActivityCache(options.MaxUsers, options.HistoryLength);
        _counters = new LiveCounters(options.TrendingHalfLife);
        _states = new ModelStates(catalog, options.AnnThreshold, new HnswOptions(EfSearch: options.AnnEfSearch), onAnnError);
        _generator = new CandidateGenerator(options, _counters);
        _pipelineOptions = new PipelineOptions(
            ListLength: options.ListLength,
            MaxPageSize: Math.Min(100, options.ListLength),
            Diversity: new DiversityOptions(options.DiversityLambda, options.MaxPerCategory),
            Exploration: new ExplorationOptions(options.ExplorationShare),
            GlobalFilter: options.GlobalFilter,
            GlobalRules: options.Rules.Select(ToRule).ToArray());
        _lists = new RankedListCache(_pipelineOptions.CacheCapacity, _clock);
        _results = new ResultCache(options.ResultCache, _clock);
        _active.Activated += model => _ = _states.Prepare(model);
        if (_active.Current is { } current)
        {
            _ = _states.Prepare(current);
        }
    }

    public OnlineMetrics Metrics { get; }

    public LiveCatalog Catalog => _catalog;

    public LiveCounters Counters => _counters;

    /// <summary>The per-user result cache of <see cref="RecommendAsync"/> (hit and miss counts for monitoring).</summary>
    public ResultCache Results => _results;

    /// <summary>Users whose recent activity is in memory.</summary>
    public int ActiveUsers => _users.Count;

    /// <summary>The derived state of a model (id translation, HNSW index); prepares it when needed.</summary>
    public ModelState StateOf(ServingModel model) => _states.Get(model);

    /// <summary>Prepares a model before or after activation; the task completes when its HNSW index (if any) is built.</summary>
    public Task PrepareAsync(ServingModel model) => _states.Prepare(model);

    /// <summary>Called by the registry before a swap, so a large catalog's HNSW index is ready when the model starts serving.</summary>
    public Task PrepareAsync(ServingModel model, CancellationToken cancellationToken) => _states.Prepare(model);

    public void OnAppended(IReadOnlyList<Event> stored)
    {
        foreach (var e in stored)
        {
            if (e.ItemId is null)
            {
                continue;
            }

            var item = _catalog.Intern(e.ItemId);
            var weight = _types.SignedWeight(e.Type);
            var timeMs = e.Timestamp.ToUnixTimeMilliseconds();
            if (e.Type != EventTypes.Impression)
            {
                _users.GetOrAdd(e.UserId).Add(new RecentEvent(item, e.Type, weight, timeMs, e.SessionId));
                _counters.Add(item, weight, timeMs);
            }
        }
    }

    public void OnItemsUpserted(IReadOnlyList<Item> items) => _catalog.Upsert(items);

    /// <summary>The export's part: <c>recentActivity</c>, the events kept in memory for real-time recommendations.</summary>
    public string ExportName => "recentActivity";

    /// <summary>Withdrawn personalization consent drops the in-memory history; a later grant reads it back from the log.</summary>
    public void OnUserChanged(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        _results.Invalidate(user.Id);
        if (!user.Consent.Personalization.Granted)
        {
            _users.Remove(user.Id);
        }
    }

    /// <summary>Drops the user's in-memory history (the store has erased their events, so nothing reloads it).</summary>
    public Task EraseAsync(string userId, CancellationToken cancellationToken)
    {
        _users.Remove(userId);
        _results.Invalidate(userId);
        return Task.CompletedTask;
    }

    /// <summary>The remembered events (item, type, time, session), oldest first; null when none are in memory.</summary>
    public void WriteExport(string userId, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!_users.TryGet(userId, out var activity) || activity.Snapshot() is not { Length: > 0 } history)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var e in history)
        {
            writer.WriteStartObject();
            writer.WriteString("itemId"u8, _catalog.IdOf(e.Item));
            writer.WriteString("type"u8, e.Type);
            writer.WriteString("timestamp"u8, DateTimeOffset.FromUnixTimeMilliseconds(e.TimeMs));
            if (e.Session is not null)
            {
                writer.WriteString("sessionId"u8, e.Session);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public void OnItemDeleted(string id) => _catalog.Remove(id);

    /// <summary>Loads the catalog and fills the live counters from the recent event log (once; call at start-up).</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var store = _store();
        await _catalog.EnsureLoadedAsync(store.Catalog, cancellationToken);
        if (_options.CountersWarmup <= TimeSpan.Zero)
        {
            return;
        }

        var from = (_clock.GetUtcNow() - _options.CountersWarmup).ToUnixTimeMilliseconds();
        var snapshot = await store.Events.ReadSnapshotAsync(new SnapshotRange(from), cancellationToken);
        var items = _catalog.InternAll(snapshot.ItemIds);
        var weights = new float[snapshot.Types.Length];
        for (var t = 0; t < weights.Length; t++)
        {
            weights[t] = _types.SignedWeight(snapshot.Types[t]);
        }

        for (var r = 0; r < snapshot.Count; r++)
        {
            _counters.Add(items[snapshot.ItemIndex[r]], weights[snapshot.TypeIndex[r]], snapshot.TimestampMs[r]);
        }
    }

    /// <summary>
    /// Answers a request: from the result cache when the user asked the same before and nothing it depends on changed
    /// (see <see cref="ResultCache"/>); otherwise reads the user's consent and, when not in memory, their history from
    /// the store and ranks afresh. Requests with exploration bypass the cache: each gets its own exploration items.
    /// </summary>
    public async Task<RecommendationPage> RecommendAsync(RecommendationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var store = _store();
        await _catalog.EnsureLoadedAsync(store.Catalog, cancellationToken);
        if (!_results.Enabled || (query.ExplorationShare ?? _options.ExplorationShare) > 0)
        {
            _results.CountBypass();
            var user = await store.Users.GetAsync(query.UserId, cancellationToken);
            var consent = user?.Consent.Personalization.Granted ?? true;
            var history = consent ? (await HistoryAsync(store, query.UserId, cancellationToken)).History : [];
            return Recommend(query, consent, history);
        }

        var key = ResultCache.KeyOf(query);
        if (_results.Find(query.UserId, key) is { } cached)
        {
            if (StillHolds(cached, query.UserId))
            {
                _results.CountHit();
                return ServeCached(cached, query.Count);
            }

            _results.Remove(query.UserId, cached);
        }

        _results.CountMiss();

        // Read before the user's record: a user change from here on refuses the entry (the record may predate it).
        var generation = _results.Generation;
        var record = await store.Users.GetAsync(query.UserId, cancellationToken);
        var granted = record?.Consent.Personalization.Granted ?? true;
        UserActivity? activity;
        long activityVersion;
        RecentEvent[] events;
        if (granted)
        {
            (activity, events, activityVersion) = await HistoryAsync(store, query.UserId, cancellationToken);
        }
        else
        {
            // Not read for ranking, but an event of the user must still invalidate the entry.
            activityVersion = _users.TryGet(query.UserId, out activity) ? activity.Version : 0;
            events = [];
        }

        var fresh = Rank(query, granted, events);
        var rendered = new System.Runtime.CompilerServices.StrongBox<byte[]?>();
        var added = _results.Add(query.UserId, new CachedResult(key, fresh.List, fresh.Page.Items, Served(fresh.Page.Items), rendered, fresh.Page.ModelVersion,
            fresh.Page.Fallback, activity, activityVersion, fresh.Model, fresh.CatalogVersion, _results.ExpiresFromNow()), generation);
        return added ? fresh.Page with { RenderedItems = rendered } : fresh.Page;
    }

    /// <summary>
    /// A request answered from memory only, never reading the store: for callers on a synchronous path, such as
    /// campaign templates. A user whose history is not in memory gets the non-personal sources.
    /// </summary>
    public RecommendationPage RecommendFromMemory(RecommendationQuery query, bool consent)
    {
        ArgumentNullException.ThrowIfNull(query);
        var history = consent && _users.TryGet(query.UserId, out var activity) && activity.IsHydrated ? activity.Snapshot() : [];
        return Recommend(query, consent, history);
    }

    /// <summary>The in-memory part of a request, given consent and the user's recent events (oldest first).</summary>
    public RecommendationPage Recommend(RecommendationQuery query, bool consent, RecentEvent[] history)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Rank(query, consent, history).Page;
    }

    /// <summary>
    /// Whether a cached answer is still what ranking afresh would give, up to the global signals and time windows that
    /// the TTL bounds: the same model, the same catalog, and the user's history unchanged (no event since, not evicted
    /// and read back, not dropped).
    /// </summary>
    private bool StillHolds(CachedResult cached, string userId)
    {
        if (!ReferenceEquals(_active.Current, cached.Model) || _catalog.Version != cached.CatalogVersion)
        {
            return false;
        }

        _users.TryGet(userId, out var activity);
        return ReferenceEquals(activity, cached.Activity) && (activity is null || activity.Version == cached.ActivityVersion);
    }

    /// <summary>A cached list served as a new recommendation: its own id, cursor and online-metrics record.</summary>
    private RecommendationPage ServeCached(CachedResult cached, int count)
    {
        var snap = _catalog.Snapshot(_options.NewItemAge, _clock.GetUtcNow());
        var (id, cursor) = Pipeline(snap).Register(cached.List, count);
        Metrics.RecordServed(id, cached.ModelVersion, cached.Served, cached.Fallback);
        return new RecommendationPage(id, cached.ModelVersion, cached.Fallback is null, cached.Fallback, cached.FirstPage, cursor) { RenderedItems = cached.Rendered };
    }

    private Ranked Rank(RecommendationQuery query, bool consent, RecentEvent[] history)
    {
        var now = _clock.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var snap = _catalog.Snapshot(_options.NewItemAge, now);
        var model = _active.Current;
        var state = model is null ? null : _states.Get(model);
        var seen = consent ? Seen(history, nowMs) : (IReadOnlySet<int>)new HashSet<int>();

        string? fallback = null;
        List<CandidateSource> sources;
        if (!consent)
        {
            fallback = Fallbacks.Consent;
            sources = _generator.NonPersonal(state, snap, query.Category);
        }
        else
        {
            sources = _generator.Personal(state, snap, query.UserId, history, seen, nowMs, query.Category);
            if (!HasPersonalSource(sources))
            {
                fallback = state is null ? Fallbacks.NoModel : Fallbacks.ColdStart;
                sources = _generator.NonPersonal(state, snap, query.Category);
            }
        }

        var pipeline = Pipeline(snap);
        var request = new RecommendationRequest(
            RequestId: Guid.NewGuid().ToString("N"),
            Sources: sources,
            Count: query.Count,
            Seen: seen,
            Exclude: Excluded(query.Exclude),
            Filter: query.Filter,
            Rules: query.Rules,
            ExplorationPool: snap.NewItems,
            Diversity: query.DiversityLambda is null && query.MaxPerCategory is null
                ? null
                : new DiversityOptions(query.DiversityLambda ?? _options.DiversityLambda, query.MaxPerCategory ?? _options.MaxPerCategory),
            Exploration: query.ExplorationShare is { } share ? new ExplorationOptions(share) : null);
        var list = pipeline.Rank(request);
        var response = pipeline.Serve(list, query.Count);
        Metrics.RecordServed(response.RecommendationId, model?.Version, Served(response.Items), fallback);
        var page = new RecommendationPage(response.RecommendationId, model?.Version, fallback is null, fallback, Explain(response.Items, sources), response.NextCursor);
        return new Ranked(page, list, model, snap.Version);
    }

    /// <summary>
    /// "People like you liked this" is the weakest explanation: when the user's own history also proposed an item
    /// (item-kNN, sequence or content), say which item it follows from instead. Source and score stay as ranked.
    /// </summary>
    private static IReadOnlyList<RecommendedItem> Explain(IReadOnlyList<RecommendedItem> items, List<CandidateSource> sources)
    {
        // Only the page's "people like you" items need a look-up: a page is small, so scanning the candidates once
        // against it beats indexing every candidate of every source.
        var wanted = 0;
        for (var k = 0; k < items.Count; k++)
        {
            wanted += items[k].Reason?.Kind == ReasonKind.SimilarUsers ? 1 : 0;
        }

        if (wanted == 0)
        {
            return items;
        }

        var positions = new int[wanted];
        var scores = new double[wanted];
        var reasons = new Reason?[wanted];
        for (int k = 0, w = 0; k < items.Count; k++)
        {
            if (items[k].Reason?.Kind == ReasonKind.SimilarUsers)
            {
                positions[w++] = k;
            }
        }

        foreach (var s in sources)
        {
            foreach (var c in s.Candidates)
            {
                if (c.Reason is not { Kind: ReasonKind.BecauseYouViewed } r)
                {
                    continue;
                }

                var score = c.Score * s.Weight;
                for (var w = 0; w < positions.Length; w++)
                {
                    if (items[positions[w]].Index == c.Item && (reasons[w] is null || scores[w] < score))
                    {
                        scores[w] = score;
                        reasons[w] = r;
                    }
                }
            }
        }

        RecommendedItem[]? copy = null;
        for (var w = 0; w < positions.Length; w++)
        {
            if (reasons[w] is { } reason)
            {
                copy ??= [.. items];
                copy[positions[w]] = copy[positions[w]] with { Reason = reason };
            }
        }

        return copy ?? items;
    }

    /// <summary>The page after <paramref name="cursor"/> of an earlier list (same items, no repeats).</summary>
    public RecommendationPage NextPage(string cursor, int count)
    {
        var snap = _catalog.Snapshot(_options.NewItemAge, _clock.GetUtcNow());
        var response = Pipeline(snap).NextPage(cursor, count);
        var (version, fallback) = Metrics.Describe(response.RecommendationId);
        Metrics.RecordServed(response.RecommendationId, version, Served(response.Items), fallback);
        return new RecommendationPage(response.RecommendationId, version, fallback is null, fallback, response.Items, response.NextCursor);
    }

    /// <summary>Items like <paramref name="itemId"/>; null when the item is unknown. A new item gets its content neighbours.</summary>
    public async Task<ItemList?> SimilarAsync(string itemId, int n, CancellationToken cancellationToken = default)
    {
        await _catalog.EnsureLoadedAsync(_store().Catalog, cancellationToken);
        var index = _catalog.IndexOf(itemId);
        var item = _catalog.Get(itemId);
        if (index < 0 && item is null)
        {
            return null;
        }

        var model = _active.Current ?? throw new NoActiveModelException("no model has been trained yet, so there are no similar items; train one (POST /v1/models/train) or use /v1/popular");
        var state = _states.Get(model);
        var snap = _catalog.Snapshot(_options.NewItemAge, _clock.GetUtcNow());
        var m = state.ToModel(index);
        var reason = Reason.BecauseYouViewed(itemId, item?.Title);
        if (m >= 0)
        {
            foreach (var name in new[] { CandidateGenerator.ItemKnnSource, ServingModel.Main, CandidateGenerator.ContentSource, CandidateGenerator.SequenceSource })
            {
                if (model.Get(name) is ISimilarItems similar && similar.SimilarItems(m, n * 2) is { Count: > 0 } found)
                {
                    return new ItemList(model.Version, name, Listed(state, snap, found, n, reason, index));
                }
            }
        }
        else if (item is not null && model.Get(CandidateGenerator.ContentSource) is ContentModel content)
        {
            var found = content.SimilarToContent(CandidateGenerator.ContentOf(item), n * 2);
            return new ItemList(model.Version, CandidateGenerator.ContentSource, Listed(state, snap, found, n, reason, index));
        }

        return new ItemList(model.Version, "none", []);
    }

    /// <summary>Popular or trending items, in <paramref name="category"/> when given; live counters before any model.</summary>
    public async Task<ItemList> PopularAsync(bool trending, int n, string? category, CancellationToken cancellationToken = default)
    {
        await _catalog.EnsureLoadedAsync(_store().Catalog, cancellationToken);
        var model = _active.Current;
        var state = model is null ? null : _states.Get(model);
        var snap = _catalog.Snapshot(_options.NewItemAge, _clock.GetUtcNow());
        var (source, items) = _generator.Popular(state, snap, trending, category, n * 2);
        var result = new List<ListedItem>(n);
        foreach (var t in items)
        {
            if (result.Count >= n)
            {
                break;
            }

            if (snap.Catalog[t.Item] is { Available: true } it)
            {
                var where = category ?? (it.Categories.Count > 0 ? it.Categories[0] : "the shop");
                result.Add(new ListedItem(it.Id, t.Score, trending ? Reason.Trending : Reason.PopularIn(where)));
            }
        }

        return new ItemList(model?.Version, source, result);
    }

    private static BusinessRule ToRule(RuleOptions r) => r.Action switch
    {
        "bury" => BusinessRule.Bury(r.Condition),
        "pin" => BusinessRule.Pin(r.Condition, r.Position),
        _ => BusinessRule.Boost(r.Condition, r.Multiply, r.Add),
    };

    private static bool HasPersonalSource(List<CandidateSource> sources)
    {
        foreach (var s in sources)
        {
            if (s.Name is not (CandidateGenerator.TrendingSource or CandidateGenerator.PopularitySource) && s.Candidates.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static List<(string, string)> Served(IReadOnlyList<RecommendedItem> items)
    {
        var served = new List<(string, string)>(items.Count);
        foreach (var i in items)
        {
            served.Add((i.ItemId, i.Source));
        }

        return served;
    }

    private static List<ListedItem> Listed(ModelState state, CatalogSnapshot snap, IReadOnlyList<ScoredItem> found, int n, Reason reason, int self)
    {
        var result = new List<ListedItem>(n);
        foreach (var f in found)
        {
            if (result.Count >= n)
            {
                break;
            }

            var c = state.ModelToCatalog[f.Item];
            if (c != self && snap.Catalog[c] is { Available: true } it)
            {
                result.Add(new ListedItem(it.Id, f.Score, reason));
            }
        }

        return result;
    }

    private async Task<(UserActivity Activity, RecentEvent[] History, long Version)> HistoryAsync(IAttuneStore store, string userId, CancellationToken cancellationToken)
    {
        var activity = _users.GetOrAdd(userId);
        if (!activity.IsHydrated)
        {
            var logged = new List<RecentEvent>();
            await foreach (var e in store.Events.ReadUserAsync(userId, cancellationToken))
            {
                if (e.ItemId is not null && e.Type != EventTypes.Impression)
                {
                    logged.Add(new RecentEvent(_catalog.Intern(e.ItemId), e.Type, _types.SignedWeight(e.Type), e.Timestamp.ToUnixTimeMilliseconds(), e.SessionId));
                }
            }

            activity.Hydrate(logged);
        }

        return (activity, activity.Snapshot(out var version), version);
    }

    private HashSet<int> Seen(RecentEvent[] history, long nowMs)
    {
        var seen = new HashSet<int>();
        foreach (var e in history)
        {
            if (_options.ExcludeSeen.TryGetValue(e.Type, out var window) && nowMs - e.TimeMs <= window.TotalMilliseconds)
            {
                seen.Add(e.Item);
            }
        }

        return seen;
    }

    private HashSet<int>? Excluded(IReadOnlyList<string>? ids)
    {
        if (ids is null || ids.Count == 0)
        {
            return null;
        }

        var set = new HashSet<int>();
        foreach (var id in ids)
        {
            var i = _catalog.IndexOf(id);
            if (i >= 0)
            {
                set.Add(i);
            }
        }

        return set;
    }

    private RecommendationPipeline Pipeline(CatalogSnapshot snap)
    {
        var holder = Volatile.Read(ref _pipeline);
        if (holder is not null && ReferenceEquals(holder.Snapshot, snap))
        {
            return holder.Pipeline;
        }

        // Built per catalog snapshot (it holds the catalog and its expression schema); the ranked-list cache is shared
        // so cursors handed out before a catalog change keep working.
        var pipeline = new RecommendationPipeline(_pipelineOptions, snap.Catalog, snap.Binder, _cursorKey, clock: _clock, cache: _lists);
        Volatile.Write(ref _pipeline, new PipelineHolder(snap, pipeline));
        return pipeline;
    }

    private sealed record PipelineHolder(CatalogSnapshot Snapshot, RecommendationPipeline Pipeline);

    /// <summary>A fresh answer and what it was ranked from (the whole list, the model, the catalog version).</summary>
    private sealed record Ranked(RecommendationPage Page, Candidate[] List, ServingModel? Model, long CatalogVersion);
}
