using System.Collections.Concurrent;
using Attune.Core;
using Attune.Core.Expressions;

namespace Attune.Engine.Serving;

/// <summary>
/// Composes the ranking stages for one request: merge and blend sources, filter, boost and bury, sort,
/// diversify (MMR + category cap), insert exploration items, place pins, then cache the ranked list and return its
/// first page with a signed cursor. <see cref="NextPage"/> continues from the cached list. Thread-safe.
/// </summary>
/// <remarks>
/// Cost per request: O(C) to merge and filter C candidates, O(C log C) to sort, O(L * P) similarity calls for MMR
/// (L = list length, P = pool size), plus the rules' expressions once per candidate each.
/// </remarks>
public sealed class RecommendationPipeline
{
    private const int MaxCompiledFilters = 512;
    private readonly ServingCatalog _catalog;
    private readonly RecordBinder<Item> _binder;
    private readonly IItemSimilarity _similarity;
    private readonly CursorCodec _cursors;
    private readonly RankedListCache _cache;
    private readonly TimeProvider _clock;
    private readonly ExpressionPredicate<Item>? _globalFilter;
    private readonly CompiledRule[] _globalRules;
    private readonly ConcurrentDictionary<string, ExpressionPredicate<Item>> _filters = new(StringComparer.Ordinal);

    /// <param name="binder">Item schema for expressions (usually <see cref="ItemSchema.Create"/> over the catalog).</param>
    /// <param name="similarity">Similarity for MMR; category Jaccard when null.</param>
    /// <param name="cursorKey">HMAC key for cursors, at least 32 bytes.</param>
    public RecommendationPipeline(
        PipelineOptions options,
        ServingCatalog catalog,
        RecordBinder<Item> binder,
        byte[] cursorKey,
        IItemSimilarity? similarity = null,
        TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _binder = binder ?? throw new ArgumentNullException(nameof(binder));
        _similarity = similarity ?? new CategoryJaccardSimilarity(catalog);
        _clock = clock ?? TimeProvider.System;
        _cursors = new CursorCodec(cursorKey, _clock);
        _cache = new RankedListCache(options.CacheCapacity, _clock);
        _globalFilter = options.GlobalFilter is null ? null : CandidateFilter.Compile(binder, options.GlobalFilter, "globalFilter");
        _globalRules = BusinessRules.Compile(binder, options.GlobalRules, "globalRules");
    }

    public PipelineOptions Options { get; }

    public RecommendationResponse Recommend(RecommendationRequest request)
    {
        var list = Rank(request);
        var id = Guid.CreateVersion7().ToString("N");
        var ranked = new RankedList(id, list, _clock.GetUtcNow() + Options.CursorLifetime);
        _cache.Add(ranked);
        return Page(ranked, 0, request.Count);
    }

    /// <summary>The page after <paramref name="cursor"/>; an altered, expired or evicted cursor is an <see cref="InvalidCursorException"/>.</summary>
    public RecommendationResponse NextPage(string cursor, int count)
    {
        var state = _cursors.Decode(cursor);
        if (!_cache.TryGet(state.ListId, out var ranked))
        {
            throw new InvalidCursorException(CursorProblem.UnknownList, "cursor: the list has expired; request the first page again");
        }

        return Page(ranked, state.Offset, count);
    }

    /// <summary>Runs every stage and returns the full ranked list (at most <see cref="PipelineOptions.ListLength"/> items).</summary>
    public Candidate[] Rank(RecommendationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateCount(request.Count);
        var diversity = request.Diversity ?? Options.Diversity;
        diversity.Validate("diversity");
        var exploration = request.Exploration ?? Options.Exploration;
        exploration.Validate("exploration");
        var requestRules = BusinessRules.Compile(_binder, request.Rules, "rules");
        var filter = BuildFilter(request);

        // 1. Merge, 2. filter.
        var candidates = CandidateMerger.Merge(request.Sources ?? [], Options.Normalization);
        var n = filter.Apply(candidates);
        var kept = candidates.AsSpan(0, n);

        // 3. Boost and bury, global rules first.
        var buried = new bool[n];
        BusinessRules.Apply(_catalog, kept, buried, _globalRules);
        BusinessRules.Apply(_catalog, kept, buried, requestRules);

        // Sort: not buried before buried, then score descending, then item index for determinism.
        var keys = new (bool Buried, double Score, int Item)[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = (buried[i], -kept[i].Score, kept[i].Item);
        }

        keys.AsSpan().Sort(kept);
        var firstBuried = 0;
        while (firstBuried < n && !keys[firstBuried].Buried)
        {
            firstBuried++;
        }

        // 4. Diversity: the unburied part first, then buried items fill what is left, under the same cap.
        var length = Options.ListLength;
        var list = new List<Candidate>(length);
        var categoryCounts = new int[_catalog.CategoryCount];
        Diversifier.Select(_catalog, kept[..firstBuried], length, diversity, _similarity, categoryCounts, list);
        Diversifier.Select(_catalog, kept[firstBuried..], length - list.Count, diversity, _similarity, categoryCounts, list);

        // 5. Exploration, 6. pins.
        Exploration.Apply(list, length, exploration.Share, request.ExplorationPool, filter, Exploration.SeedFrom(request.RequestId ?? string.Empty));
        Pinning.Apply(_catalog, list, length, kept, Pins(requestRules));
        return [.. list];
    }

    private List<CompiledRule> Pins(CompiledRule[] requestRules)
    {
        var pins = new List<CompiledRule>();
        foreach (var r in _globalRules)
        {
            if (r.Rule.Action == RuleAction.Pin)
            {
                pins.Add(r);
            }
        }

        foreach (var r in requestRules)
        {
            if (r.Rule.Action == RuleAction.Pin)
            {
                pins.Add(r);
            }
        }

        return pins;
    }

    private CandidateFilter BuildFilter(RecommendationRequest request)
    {
        var predicates = new List<ExpressionPredicate<Item>>(2);
        if (_globalFilter is not null)
        {
            predicates.Add(_globalFilter);
        }

        if (!string.IsNullOrWhiteSpace(request.Filter))
        {
            predicates.Add(CompiledFilter(request.Filter));
        }

        return new CandidateFilter(_catalog, request.Seen, request.Exclude, Options.DropUnavailable, predicates);
    }

    // Clients tend to send the same few filters; compiling costs far more than looking one up.
    private ExpressionPredicate<Item> CompiledFilter(string text)
    {
        if (_filters.TryGetValue(text, out var compiled))
        {
            return compiled;
        }

        compiled = CandidateFilter.Compile(_binder, text, "filter");
        if (_filters.Count >= MaxCompiledFilters)
        {
            _filters.Clear();
        }

        _filters.TryAdd(text, compiled);
        return compiled;
    }

    private RecommendationResponse Page(RankedList ranked, int offset, int count)
    {
        ValidateCount(count);
        var start = Math.Min(offset, ranked.Items.Length);
        var end = Math.Min(ranked.Items.Length, start + count);
        var items = new RecommendedItem[end - start];
        for (var i = start; i < end; i++)
        {
            var c = ranked.Items[i];
            items[i - start] = new RecommendedItem(_catalog[c.Item]?.Id ?? c.Item.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Item, i, c.Score, c.Source, c.Reason);
        }

        var next = end < ranked.Items.Length ? _cursors.Encode(new CursorState(ranked.Id, end, ranked.Expires)) : null;
        return new RecommendationResponse(ranked.Id, items, next);
    }

    private void ValidateCount(int count)
    {
        if (count <= 0 || count > Options.MaxPageSize)
        {
            throw new RecommendationRequestException("count", $"count must be between 1 and {Options.MaxPageSize}, got {count}");
        }
    }
}
