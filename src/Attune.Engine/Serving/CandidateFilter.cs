using Attune.Core;
using Attune.Core.Expressions;

namespace Attune.Engine.Serving;

/// <summary>
/// Stage 2: drops candidates the user must not see: items already seen or bought, an explicit exclude list,
/// unavailable items (and indices without a catalog entry), and items failing the filter expressions.
/// Expressions are compiled once, by <see cref="Compile"/>, and evaluated per candidate without allocating.
/// </summary>
public sealed class CandidateFilter
{
    private readonly ServingCatalog _catalog;
    private readonly IReadOnlySet<int>? _seen;
    private readonly IReadOnlySet<int>? _exclude;
    private readonly bool _dropUnavailable;
    private readonly Func<Item, bool>[] _predicates;

    /// <param name="predicates">Compiled conditions an item must all satisfy.</param>
    public CandidateFilter(
        ServingCatalog catalog,
        IReadOnlySet<int>? seen = null,
        IReadOnlySet<int>? exclude = null,
        bool dropUnavailable = true,
        IReadOnlyList<ExpressionPredicate<Item>>? predicates = null)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _seen = seen;
        _exclude = exclude;
        _dropUnavailable = dropUnavailable;
        _predicates = new Func<Item, bool>[predicates?.Count ?? 0];
        for (var i = 0; i < _predicates.Length; i++)
        {
            _predicates[i] = predicates![i].AsFunc();
        }
    }

    /// <summary>
    /// Compiles a filter expression, turning any problem with its text into a <see cref="RecommendationRequestException"/>
    /// naming <paramref name="field"/> and the column.
    /// </summary>
    public static ExpressionPredicate<Item> Compile(RecordBinder<Item> binder, string text, string field, ExpressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(binder);
        try
        {
            return binder.CompilePredicate(text, options);
        }
        catch (ExpressionException e)
        {
            throw new RecommendationRequestException(field, e.Message, e.Column, e);
        }
    }

    /// <summary>Whether the item at <paramref name="index"/> passes every filter.</summary>
    public bool Allows(int index)
    {
        var item = _catalog[index];
        if (item is null || (_dropUnavailable && !item.Available))
        {
            return false;
        }

        if ((_seen is not null && _seen.Contains(index)) || (_exclude is not null && _exclude.Contains(index)))
        {
            return false;
        }

        foreach (var predicate in _predicates)
        {
            if (!predicate(item))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Compacts <paramref name="candidates"/> in place to those allowed; returns how many are left at the front.</summary>
    public int Apply(Span<Candidate> candidates)
    {
        var kept = 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (Allows(candidates[i].Item))
            {
                candidates[kept++] = candidates[i];
            }
        }

        return kept;
    }
}
