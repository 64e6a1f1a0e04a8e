using System.Buffers;
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
    /// <param name="cache">
    /// Ranked lists for paging; pass the previous pipeline's cache when rebuilding for a new catalog snapshot so that
    /// open cursors keep working (item indices must then be stable across snapshots). A new cache when null.
    /// </param>
    public RecommendationPipeline(
        PipelineOptions options,
        ServingCatalog catalog,
        RecordBinder<Item> binder,
        byte[] cursorKey,
        IItemSimilarity? similarity = null,
        TimeProvider? clock = null,
        RankedListCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _binder = binder ?? throw new ArgumentNullException(nameof(binder));
        _similarity = similarity ?? new CategoryJaccardSimilarity(catalog);
        _clock = clock ?? TimeProvider.System;
        _cursors = new CursorCodec(cursorKey, _clock);
        _cache = cache ?? new RankedListCache(options.CacheCapacity, _clock);
        _globalFilter = options.GlobalFilter is null ? null : CandidateFilter.Compile(binder, options.GlobalFilter, "globalFilter");
        _globalRules = BusinessRules.Compile(binder, options.GlobalRules, "globalRules");
    }

    public PipelineOptions Options { get; }

    /// <summary>The ranked lists kept for paging (shared with later pipelines built over newer catalog snapshots).</summary>
    public RankedListCache Cache => _cache;

    public ServingCatalog Catalog => _catalog;

    public RecommendationResponse Recommend(RecommendationRequest request) => Serve(Rank(request), request.Count);

    /// <summary>
    /// Serves an already ranked list (from <see cref="Rank(RecommendationRequest)"/>, possibly served before) under a
    /// new recommendation id: keeps it for paging and returns its first <paramref name="count"/> items with a cursor.
    /// The list is shared, never changed.
    /// </summary>
    public RecommendationResponse Serve(Candidate[] list, int count)
    {
        ArgumentNullException.ThrowIfNull(list);
        ValidateCount(count);
        return Page(Keep(list), 0, count);
    }

    /// <summary>
    /// Like <see cref="Serve"/> for a caller that already holds the first page's items (a cached answer): only the new
    /// recommendation id and the cursor to the second page.
    /// </summary>
    public (string RecommendationId, string? NextCursor) Register(Candidate[] list, int count)
    {
        ArgumentNullException.ThrowIfNull(list);
        ValidateCount(count);
        var ranked = Keep(list);
        var end = Math.Min(list.Length, count);
        return (ranked.Id, end < list.Length ? _cursors.Encode(new CursorState(ranked.Id, end, ranked.Expires)) : null);
    }

    private RankedList Keep(Candidate[] list)
    {
        var ranked = new RankedList(Guid.CreateVersion7().ToString("N"), list, _clock.GetUtcNow() + Options.CursorLifetime);
        _cache.Add(ranked);
        return ranked;
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
    public Candidate[] Rank(RecommendationRequest request) => Rank(request, Options.ListLength);

    /// <summary>
    /// The first <paramref name="depth"/> ranks of the list <see cref="Rank(RecommendationRequest)"/> returns, the
    /// same items in the same order. When no exploration slot or pin can act, the diversity stage stops after
    /// <paramref name="depth"/> picks (greedy MMR's picks do not depend on later ones), which for a short block is
    /// several times cheaper than ranking the whole list; otherwise the whole list is ranked and cut.
    /// </summary>
    public Candidate[] Rank(RecommendationRequest request, int depth)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ValidateCount(request.Count);
        var diversity = request.Diversity ?? Options.Diversity;
        diversity.Validate("diversity");
        var exploration = request.Exploration ?? Options.Exploration;
        exploration.Validate("exploration");
        var requestRules = BusinessRules.Compile(_binder, request.Rules, "rules");
        var filter = BuildFilter(request);

        var total = CandidateMerger.TotalCount(request.Sources ?? []);
        var candidates = ArrayPool<Candidate>.Shared.Rent(Math.Max(1, total));
        var keys = ArrayPool<double>.Shared.Rent(Math.Max(1, total));
        var buried = ArrayPool<bool>.Shared.Rent(Math.Max(1, total));
        try
        {
            return Rank(request, candidates, keys, buried, filter, requestRules, diversity, exploration, depth);
        }
        finally
        {
            ArrayPool<Candidate>.Shared.Return(candidates, clearArray: true);
            ArrayPool<double>.Shared.Return(keys);
            ArrayPool<bool>.Shared.Return(buried);
        }
    }

    private Candidate[] Rank(
        RecommendationRequest request,
        Candidate[] candidates,
        double[] keys,
        bool[] buried,
        CandidateFilter filter,
        CompiledRule[] requestRules,
        DiversityOptions diversity,
        ExplorationOptions exploration,
        int depth)
    {
        // 1. Merge, 2. filter.
        var n = CandidateMerger.MergeInto(request.Sources ?? [], Options.Normalization, candidates);
        n = filter.Apply(candidates.AsSpan(0, n));
        var kept = candidates.AsSpan(0, n);

        // 3. Boost and bury, global rules first.
        var isBuried = buried.AsSpan(0, n);
        BusinessRules.Apply(_catalog, kept, isBuried, _globalRules);
        BusinessRules.Apply(_catalog, kept, isBuried, requestRules);

        // Stable partition: buried items to the back; then each part sorted by score, descending, on primitive keys
        // (a tuple comparer costs several times more per comparison); ties go by item index.
        var firstBuried = Partition(kept, isBuried);
        SortByScore(kept[..firstBuried], keys);
        SortByScore(kept[firstBuried..], keys);

        // 4. Diversity: the unburied part first, then buried items fill what is left, under the same cap.
        var length = Options.ListLength;
        var pins = Pins(requestRules);
        var explores = exploration.Share > 0 && request.ExplorationPool is { Count: > 0 };
        var picks = depth < length && !explores && pins.Count == 0 ? depth : length;
        var list = new List<Candidate>(picks);
        var categoryCounts = new int[_catalog.CategoryCount];
        Diversifier.Select(_catalog, kept[..firstBuried], length, diversity, _similarity, categoryCounts, list, picks);
        Diversifier.Select(_catalog, kept[firstBuried..], length - list.Count, diversity, _similarity, categoryCounts, list, picks - list.Count);

        // 5. Exploration, 6. pins.
        Exploration.Apply(list, length, exploration.Share, request.ExplorationPool, filter, Exploration.SeedFrom(request.RequestId ?? string.Empty));
        Pinning.Apply(_catalog, list, length, kept, pins);
        return depth < length && list.Count > depth ? [.. list[..depth]] : [.. list];
    }

    private static int Partition(Span<Candidate> candidates, Span<bool> buried)
    {
        var count = 0;
        foreach (var b in buried)
        {
            count += b ? 0 : 1;
        }

        if (count == candidates.Length)
        {
            return count;
        }

        var scratch = ArrayPool<Candidate>.Shared.Rent(candidates.Length - count);
        int front = 0, back = 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (buried[i])
            {
                scratch[back++] = candidates[i];
            }
            else
            {
                candidates[front++] = candidates[i];
            }
        }

        scratch.AsSpan(0, back).CopyTo(candidates[front..]);
        ArrayPool<Candidate>.Shared.Return(scratch, clearArray: true);
        return count;
    }

    private static void SortByScore(Span<Candidate> candidates, double[] keys)
    {
        var k = keys.AsSpan(0, candidates.Length);
        for (var i = 0; i < candidates.Length; i++)
        {
            k[i] = -candidates[i].Score;
        }

        k.Sort(candidates);

        // The sort is not stable: order each run of equal scores by item index so ties never depend on input order.
        for (var start = 0; start < candidates.Length;)
        {
            var end = start + 1;
            while (end < candidates.Length && k[end] == k[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                candidates[start..end].Sort(static (a, b) => a.Item.CompareTo(b.Item));
            }

            start = end;
        }
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
