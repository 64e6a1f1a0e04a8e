using System.Buffers;
using System.Collections.Concurrent;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Content;
using Attune.Algorithms.Popularity;
using Attune.Engine.Options;
using Attune.Engine.Realtime;
using Attune.Engine.Serving;
using Attune.Numerics;

namespace Attune.Engine.Recommendations;

/// <summary>
/// Stage 0 of a recommendation: candidates from every source that has something to say for this user right now.
/// Sources: <c>main</c> (the factor or linear model: the trained user vector, or a fold-in of the in-memory history
/// when the user did something since the model's snapshot; the HNSW index on large catalogs), <c>item-knn</c>
/// (neighbours of the latest items), <c>sequence</c> (what follows the current session), <c>content</c> (neighbours of
/// new items the user touched, by their text and categories), <c>new</c> (new items in the user's categories),
/// <c>trending</c> and <c>popularity</c>. All indices are <see cref="LiveCatalog"/> indices.
/// </summary>
/// <remarks>
/// Cost: one dense score pass over the model's items for <c>main</c> (O(items x factors), or O(efSearch x M x factors x
/// log items) with HNSW) plus one for <c>sequence</c>, a top-k of each, and O(seeds x neighbours) for item-kNN and
/// content. Fold-in costs what the model's <see cref="IFoldIn"/> costs (ALS: one f x f Cholesky).
/// </remarks>
public sealed class CandidateGenerator(ServingOptions options, LiveCounters counters)
{
    public const string MainSource = "main";
    public const string ItemKnnSource = "item-knn";
    public const string SequenceSource = "sequence";
    public const string ContentSource = "content";
    public const string TrendingSource = "trending";
    public const string PopularitySource = "popularity";
    public const string NewSource = "new";

    // Distinct (category, n) lists kept; categories come from requests, so the bound matters.
    private const int MaxKeptLists = 512;
    private readonly ConcurrentDictionary<(bool Trending, int N, string? Category), LiveList> _liveTops = new();
    private ModelLists? _modelTops;

    /// <summary>Personalized sources from the user's history, plus trending/popular/new at their configured weights.</summary>
    public List<CandidateSource> Personal(ModelState? state, CatalogSnapshot snap, string userId, RecentEvent[] history, IReadOnlySet<int> seen, long nowMs, string? category)
    {
        var sources = new List<CandidateSource>(7);
        var recent = RecentDistinct(history, options.RecentItems);
        if (state is not null)
        {
            AddMain(sources, state, userId, history, seen);
            AddItemKnn(sources, state, snap, recent);
            AddSequence(sources, state, snap, history, nowMs);
            AddContent(sources, state, snap, recent);
        }

        AddNew(sources, state, snap, recent, category);

        // In a personal list trending and popular items are fillers with a small weight; a quarter as many suffice.
        AddPopular(sources, state, snap, category, Weight(TrendingSource), Weight(PopularitySource), Math.Max(10, options.CandidatesPerSource / 4));
        return sources;
    }

    /// <summary>The same list for everyone in the context: trending and popular items (in the category when given).</summary>
    public List<CandidateSource> NonPersonal(ModelState? state, CatalogSnapshot snap, string? category)
    {
        var sources = new List<CandidateSource>(2);
        var trending = Weight(TrendingSource);
        var popular = Weight(PopularitySource);
        if (trending + popular <= 0)
        {
            trending = popular = 1;
        }

        AddPopular(sources, state, snap, category, trending, popular, options.CandidatesPerSource);
        return sources;
    }

    /// <summary>Popular (or trending) items: the model's components when present, else the live counters.</summary>
    /// <remarks>
    /// Both lists are the same for every request until an event is counted (live) or the model changes, so they are
    /// kept: a live list for as long as <see cref="LiveCounters.Version"/> and the catalog snapshot stay the same, a
    /// model's list for as long as the model serves. The returned array is shared: callers must not write to it.
    /// </remarks>
    public (string Source, ScoredItem[] Items) Popular(ModelState? state, CatalogSnapshot snap, bool trending, string? category, int n)
    {
        var name = trending ? TrendingSource : PopularitySource;
        var model = state?.Model.Get(name) as PopularityModel;
        if (!trending && model is not null)
        {
            // The model's popularity wins over the live counters whenever there is one: no need to rank the live ones.
            return (name, ModelPopular(state!, model, category, n));
        }

        var live = LiveTop(snap, trending, category, n);
        if (live.Length > 0 || model is null)
        {
            return ("live", live);
        }

        return (name, ModelPopular(state!, model, category, n));
    }

    private ScoredItem[] LiveTop(CatalogSnapshot snap, bool trending, string? category, int n)
    {
        var key = (trending, n, category);
        var version = counters.Version;
        if (_liveTops.TryGetValue(key, out var kept) && kept.Version == version && ReferenceEquals(kept.Snapshot, snap))
        {
            return kept.Items;
        }

        var top = counters.Top(trending, n, category is null ? null : i => InCategory(snap, i, category));
        if (_liveTops.Count >= MaxKeptLists)
        {
            _liveTops.Clear();
        }

        _liveTops[key] = new LiveList(snap, version, top);
        return top;
    }

    private ScoredItem[] ModelPopular(ModelState state, PopularityModel model, string? category, int n)
    {
        var kept = Volatile.Read(ref _modelTops);
        if (kept is null || !ReferenceEquals(kept.State, state) || !ReferenceEquals(kept.Model, model))
        {
            kept = new ModelLists(state, model, new ConcurrentDictionary<(string?, int), ScoredItem[]>());
            Volatile.Write(ref _modelTops, kept);
        }

        if (kept.Lists.TryGetValue((category, n), out var top))
        {
            return top;
        }

        top = ComputeModelPopular(state, model, category, n);
        if (kept.Lists.Count >= MaxKeptLists)
        {
            kept.Lists.Clear();
        }

        kept.Lists[(category, n)] = top;
        return top;
    }

    private static ScoredItem[] ComputeModelPopular(ModelState state, PopularityModel model, string? category, int n)
    {
        ScoredItem[] top;
        if (category is not null)
        {
            var inCategory = model.Popular(category, n);
            top = new ScoredItem[inCategory.Count];
            for (var k = 0; k < top.Length; k++)
            {
                top[k] = inCategory[k];
            }
        }
        else
        {
            var scores = model.Scores.ToArray();
            top = RecommenderExtensions.TopOf(scores, n);
        }

        for (var k = 0; k < top.Length; k++)
        {
            top[k] = top[k] with { Item = state.ModelToCatalog[top[k].Item] };
        }

        return top;
    }

    /// <summary>The user's latest distinct items with a positive weight, newest first.</summary>
    public static List<int> RecentDistinct(RecentEvent[] history, int count)
    {
        var result = new List<int>(count);
        for (var k = history.Length - 1; k >= 0 && result.Count < count; k--)
        {
            var e = history[k];
            if (e.Weight > 0 && !result.Contains(e.Item))
            {
                result.Add(e.Item);
            }
        }

        return result;
    }

    private static bool InCategory(CatalogSnapshot snap, int item, string category)
    {
        var it = snap.Catalog[item];
        if (it is null)
        {
            return false;
        }

        foreach (var c in it.Categories)
        {
            if (string.Equals(c, category, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static Reason Because(CatalogSnapshot snap, int item)
    {
        var it = snap.Catalog[item];
        return Reason.BecauseYouViewed(it?.Id ?? snap.Ids[item], it?.Title);
    }

    private double Weight(string source) => options.SourceWeights.GetValueOrDefault(source);

    private void AddMain(List<CandidateSource> sources, ModelState state, string userId, RecentEvent[] history, IReadOnlySet<int> seen)
    {
        var model = state.Main;
        var weight = Weight(MainSource);
        if (model is null || weight <= 0)
        {
            return;
        }

        var user = state.Model.Users.IndexOf(userId);
        var snapshotEnd = state.Model.Info.SnapshotToMs ?? long.MinValue;
        var fresh = false;
        foreach (var e in history)
        {
            if (e.TimeMs > snapshotEnd && state.ToModel(e.Item) >= 0)
            {
                fresh = true;
                break;
            }
        }

        var k = options.CandidatesPerSource;
        ScoredItem[] top;
        if (!fresh && user >= 0 && state.Ann is { } ann && state.Factors is { } f)
        {
            top = SearchAnn(state, ann, f, user, k, seen);
        }
        else
        {
            var scores = ArrayPool<float>.Shared.Rent(model.ItemCount);
            try
            {
                var span = scores.AsSpan(0, model.ItemCount);
                if (fresh && model is IFoldIn foldIn)
                {
                    if (!FoldIn(foldIn, state, history, span))
                    {
                        return;
                    }
                }
                else if (user < 0 || !model.TryScore(user, span))
                {
                    if (model is not IFoldIn fold || !FoldIn(fold, state, history, span))
                    {
                        return;
                    }
                }

                foreach (var s in seen)
                {
                    var m = state.ToModel(s);
                    if (m >= 0)
                    {
                        span[m] = float.NegativeInfinity;
                    }
                }

                top = RecommenderExtensions.TopOf(span, k);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
            }
        }

        var list = new List<Candidate>(top.Length);
        foreach (var t in top)
        {
            list.Add(new Candidate(state.ModelToCatalog[t.Item], t.Score, MainSource, Reason.SimilarUsers));
        }

        sources.Add(new CandidateSource(MainSource, weight, list));
    }

    private ScoredItem[] SearchAnn(ModelState state, Numerics.Ann.HnswIndex ann, Algorithms.Factorization.ILatentFactorModel f, int user, int k, IReadOnlySet<int> seen)
    {
        Span<float> query = stackalloc float[ann.Dimension];
        ModelState.AnnQuery(f, f.UserFactors.Span.Slice(user * f.Factors, f.Factors), query);
        var ids = ArrayPool<int>.Shared.Rent(k);
        var scores = ArrayPool<float>.Shared.Rent(k);
        try
        {
            int found;
            if (seen.Count == 0)
            {
                found = ann.Search(query, k, ids.AsSpan(0, k), scores.AsSpan(0, k), options.AnnEfSearch);
            }
            else
            {
                var excluded = new HashSet<int>();
                foreach (var s in seen)
                {
                    var m = state.ToModel(s);
                    if (m >= 0)
                    {
                        excluded.Add(m);
                    }
                }

                found = ann.Search(query, k, ids.AsSpan(0, k), scores.AsSpan(0, k), excluded.Contains, options.AnnEfSearch);
            }

            var result = new ScoredItem[found];
            for (var r = 0; r < found; r++)
            {
                result[r] = new ScoredItem(ids[r], scores[r]);
            }

            return result;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ids);
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private bool FoldIn(IFoldIn model, ModelState state, RecentEvent[] history, Span<float> scores)
    {
        var items = new List<int>(history.Length);
        var weights = new List<float>(history.Length);
        for (var k = Math.Max(0, history.Length - options.FoldInEvents); k < history.Length; k++)
        {
            var e = history[k];
            var m = state.ToModel(e.Item);
            if (m >= 0 && e.Weight > 0)
            {
                items.Add(m);
                weights.Add(e.Weight);
            }
        }

        if (items.Count == 0)
        {
            return false;
        }

        model.ScoreHistory(items.ToArray(), weights.ToArray(), scores);
        return true;
    }

    private void AddItemKnn(List<CandidateSource> sources, ModelState state, CatalogSnapshot snap, List<int> recent)
    {
        var weight = Weight(ItemKnnSource);
        if (weight <= 0 || recent.Count == 0 || (state.Model.Get(ItemKnnSource) ?? state.Main) is not ISimilarItems similar)
        {
            return;
        }

        var perSeed = Math.Max(10, options.CandidatesPerSource / recent.Count);
        var list = new List<Candidate>(perSeed * recent.Count);
        for (var r = 0; r < recent.Count; r++)
        {
            var m = state.ToModel(recent[r]);
            if (m < 0)
            {
                continue;
            }

            // Newer seeds count more: the latest item weighs 1, the one before 1/2, and so on.
            var decay = 1.0 / (1 + r);
            var reason = Because(snap, recent[r]);
            foreach (var n in similar.SimilarItems(m, perSeed))
            {
                list.Add(new Candidate(state.ModelToCatalog[n.Item], Math.Max(0, n.Score) * decay, ItemKnnSource, reason));
            }
        }

        if (list.Count > 0)
        {
            sources.Add(new CandidateSource(ItemKnnSource, weight, list));
        }
    }

    private void AddSequence(List<CandidateSource> sources, ModelState state, CatalogSnapshot snap, RecentEvent[] history, long nowMs)
    {
        var weight = Weight(SequenceSource);
        if (weight <= 0 || history.Length == 0 || state.Model.Get(SequenceSource) is not { } model || model is not IFoldIn sequence)
        {
            return;
        }

        // The session: the trailing events sharing the last event's session id, or, without ids, no gap above SessionGap.
        var last = history[^1];
        if (nowMs - last.TimeMs > options.SessionGap.TotalMilliseconds)
        {
            return;
        }

        var start = history.Length - 1;
        while (start > 0)
        {
            var prev = history[start - 1];
            var same = last.Session is not null
                ? string.Equals(prev.Session, last.Session, StringComparison.Ordinal)
                : history[start].TimeMs - prev.TimeMs <= options.SessionGap.TotalMilliseconds;
            if (!same)
            {
                break;
            }

            start--;
        }

        var items = new List<int>(history.Length - start);
        var lastItem = -1;
        for (var k = start; k < history.Length; k++)
        {
            var m = state.ToModel(history[k].Item);
            if (m >= 0)
            {
                items.Add(m);
                lastItem = history[k].Item;
            }
        }

        if (items.Count == 0)
        {
            return;
        }

        var scores = ArrayPool<float>.Shared.Rent(model.ItemCount);
        try
        {
            var span = scores.AsSpan(0, model.ItemCount);
            sequence.ScoreHistory(items.ToArray(), default, span);
            var top = RecommenderExtensions.TopOf(span, options.CandidatesPerSource);
            var reason = Because(snap, lastItem);
            var list = new List<Candidate>(top.Length);
            foreach (var t in top)
            {
                if (t.Score > 0)
                {
                    list.Add(new Candidate(state.ModelToCatalog[t.Item], t.Score, SequenceSource, reason));
                }
            }

            if (list.Count > 0)
            {
                sources.Add(new CandidateSource(SequenceSource, weight, list));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private void AddContent(List<CandidateSource> sources, ModelState state, CatalogSnapshot snap, List<int> recent)
    {
        var weight = Weight(ContentSource);
        if (weight <= 0 || recent.Count == 0 || state.Model.Get(ContentSource) is not ContentModel content)
        {
            return;
        }

        var hasKnn = state.Model.Get(ItemKnnSource) is ISimilarItems;
        var perSeed = Math.Max(10, options.CandidatesPerSource / recent.Count);
        var list = new List<Candidate>();
        for (var r = 0; r < recent.Count; r++)
        {
            var m = state.ToModel(recent[r]);
            IReadOnlyList<ScoredItem> neighbours;
            if (m < 0)
            {
                // An item the model never saw: its text and categories are all there is to go on.
                if (snap.Catalog[recent[r]] is not { } item)
                {
                    continue;
                }

                neighbours = content.SimilarToContent(ContentOf(item), perSeed);
            }
            else if (!hasKnn)
            {
                neighbours = content.SimilarItems(m, perSeed);
            }
            else
            {
                continue;
            }

            var decay = 1.0 / (1 + r);
            var reason = Because(snap, recent[r]);
            foreach (var n in neighbours)
            {
                list.Add(new Candidate(state.ModelToCatalog[n.Item], Math.Max(0, n.Score) * decay, ContentSource, reason));
            }
        }

        if (list.Count > 0)
        {
            sources.Add(new CandidateSource(ContentSource, weight, list));
        }
    }

    internal static ItemContent ContentOf(Core.Item item) => new(item.Title, item.Text, item.Categories, item.Tags);

    private void AddNew(List<CandidateSource> sources, ModelState? state, CatalogSnapshot snap, List<int> recent, string? category)
    {
        var weight = Weight(NewSource);
        if (weight <= 0 || snap.NewItems.Count == 0)
        {
            return;
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal);
        if (category is not null)
        {
            wanted.Add(category);
        }

        foreach (var r in recent)
        {
            if (snap.Catalog[r] is { } it)
            {
                wanted.UnionWith(it.Categories);
            }
        }

        if (wanted.Count == 0)
        {
            return;
        }

        var list = new List<Candidate>();
        var cap = Math.Min(options.CandidatesPerSource, 50);
        foreach (var i in snap.NewItems)
        {
            if (list.Count >= cap)
            {
                break;
            }

            if ((state is not null && state.ToModel(i) >= 0) || snap.Catalog[i] is not { } item)
            {
                continue;
            }

            foreach (var c in item.Categories)
            {
                if (wanted.Contains(c))
                {
                    list.Add(new Candidate(i, 1.0 / (1 + list.Count), NewSource, Reason.NewIn(c)));
                    break;
                }
            }
        }

        if (list.Count > 0)
        {
            sources.Add(new CandidateSource(NewSource, weight, list));
        }
    }

    private void AddPopular(List<CandidateSource> sources, ModelState? state, CatalogSnapshot snap, string? category, double trendingWeight, double popularWeight, int n)
    {
        if (trendingWeight > 0)
        {
            var (_, items) = Popular(state, snap, trending: true, category, n);
            if (items.Length > 0)
            {
                var list = new List<Candidate>(items.Length);
                foreach (var t in items)
                {
                    list.Add(new Candidate(t.Item, t.Score, TrendingSource, category is null ? Reason.Trending : Reason.PopularIn(category)));
                }

                sources.Add(new CandidateSource(TrendingSource, trendingWeight, list));
            }
        }

        if (popularWeight > 0)
        {
            var (_, items) = Popular(state, snap, trending: false, category, n);
            if (items.Length > 0)
            {
                var list = new List<Candidate>(items.Length);
                foreach (var t in items)
                {
                    var where = category ?? (snap.Catalog[t.Item] is { Categories.Count: > 0 } it ? it.Categories[0] : "the shop");
                    list.Add(new Candidate(t.Item, t.Score, PopularitySource, Reason.PopularIn(where)));
                }

                sources.Add(new CandidateSource(PopularitySource, popularWeight, list));
            }
        }
    }

    private sealed record LiveList(CatalogSnapshot Snapshot, long Version, ScoredItem[] Items);

    private sealed record ModelLists(ModelState State, PopularityModel Model, ConcurrentDictionary<(string? Category, int N), ScoredItem[]> Lists);
}
