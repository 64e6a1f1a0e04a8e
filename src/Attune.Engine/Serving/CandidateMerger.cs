using System.Buffers;

namespace Attune.Engine.Serving;

/// <summary>How one source's raw scores are put on a common [0, 1] scale before weighting.</summary>
public enum ScoreNormalization
{
    /// <summary>score / max score of the source; scores at or below zero count as zero.</summary>
    Max,

    /// <summary>(score - min) / (max - min) over the source; a source whose scores are all equal gives 1.</summary>
    MinMax,

    /// <summary>1 - rank / count (the best gets 1): immune to a source's score scale and outliers.</summary>
    Rank,
}

/// <summary>
/// Stage 1: merges the candidates of several sources into one list with a blended score
/// <c>sum over sources of weight(s) * normalized_s(item)</c>. The explanation kept for an item is the reason of the
/// source with the largest weighted contribution. A source that proposes the same item twice counts its best score once.
/// </summary>
/// <remarks>O(total candidates + sources x candidates-per-source log) for rank normalization, plus O(largest item index)
/// to clear a dense slot map when the catalog is small next to the candidate count (a hash map otherwise). Ties in the final order are broken by item index, so the merge is deterministic.</remarks>
public static class CandidateMerger
{
    private const int MaxDenseItem = 1 << 24;
    private const int DenseFloor = 4096;
    private const int DenseRatio = 8;

    public static Candidate[] Merge(IReadOnlyList<CandidateSource> sources, ScoreNormalization normalization)
    {
        var merged = new Candidate[TotalCount(sources)];
        var count = MergeInto(sources, normalization, merged);
        return count == merged.Length ? merged : merged[..count];
    }

    /// <summary>The number of candidates over all sources: an upper bound on the merged count.</summary>
    public static int TotalCount(IReadOnlyList<CandidateSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var total = 0;
        foreach (var s in sources)
        {
            total += s.Candidates.Count;
        }

        return total;
    }

    /// <summary>Merges into <paramref name="merged"/> (at least <see cref="TotalCount"/> long, e.g. rented) and returns how many items it holds.</summary>
    public static int MergeInto(IReadOnlyList<CandidateSource> sources, ScoreNormalization normalization, Span<Candidate> merged)
    {
        var total = TotalCount(sources);
        if (merged.Length < total)
        {
            throw new ArgumentException($"the output holds {merged.Length} candidates but the sources have {total}", nameof(merged));
        }

        // Dense item indices (the normal case) map to slots through a rented array: no hashing, no allocation.
        var maxItem = -1;
        var dense = true;
        foreach (var source in sources)
        {
            foreach (var c in source.Candidates)
            {
                dense &= c.Item >= 0;
                maxItem = Math.Max(maxItem, c.Item);
            }
        }

        // Filling a slot map as long as the largest index costs O(catalog) per request: worth it only while the
        // catalog is small next to the candidate count; a 1M-item catalog with a few hundred candidates hashes instead.
        dense &= maxItem < MaxDenseItem && maxItem < Math.Max(DenseFloor, DenseRatio * total);
        var slotOf = dense ? ArrayPool<int>.Shared.Rent(maxItem + 1) : null;
        slotOf?.AsSpan(0, maxItem + 1).Fill(-1);
        var slots = dense ? null : new Dictionary<int, int>(total);
        var best = ArrayPool<double>.Shared.Rent(Math.Max(1, total));
        var last = ArrayPool<double>.Shared.Rent(Math.Max(1, total));
        var lastSource = ArrayPool<int>.Shared.Rent(Math.Max(1, total));
        var count = 0;
        var sourceIndex = -1;
        double[]? normalized = null;
        try
        {
            foreach (var source in sources)
            {
                sourceIndex++;
                if (source.Weight == 0 || source.Candidates.Count == 0)
                {
                    continue;
                }

                if (!double.IsFinite(source.Weight) || source.Weight < 0)
                {
                    throw new RecommendationRequestException($"sources[{source.Name}].weight", $"weight must be a finite number >= 0, got {source.Weight}");
                }

                var n = source.Candidates.Count;
                if (normalized is null || normalized.Length < n)
                {
                    if (normalized is not null)
                    {
                        ArrayPool<double>.Shared.Return(normalized);
                    }

                    normalized = ArrayPool<double>.Shared.Rent(n);
                }

                Normalize(source.Candidates, normalization, normalized.AsSpan(0, n));
                for (var i = 0; i < n; i++)
                {
                    var c = source.Candidates[i];
                    var contribution = source.Weight * normalized[i];
                    int slot;
                    if (slotOf is not null ? (slot = slotOf[c.Item]) < 0 : !slots!.TryGetValue(c.Item, out slot))
                    {
                        slot = count++;
                        if (slotOf is not null)
                        {
                            slotOf[c.Item] = slot;
                        }
                        else
                        {
                            slots!.Add(c.Item, slot);
                        }

                        merged[slot] = new Candidate(c.Item, contribution, source.Name, c.Reason);
                        best[slot] = contribution;
                        last[slot] = contribution;
                        lastSource[slot] = sourceIndex;
                        continue;
                    }

                    var m = merged[slot];
                    var added = contribution;
                    if (lastSource[slot] == sourceIndex)
                    {
                        // The same source twice: count its best score once, not the sum.
                        if (contribution <= last[slot])
                        {
                            continue;
                        }

                        added = contribution - last[slot];
                    }

                    lastSource[slot] = sourceIndex;
                    last[slot] = contribution;
                    merged[slot] = contribution > best[slot]
                        ? new Candidate(c.Item, m.Score + added, source.Name, c.Reason)
                        : m with { Score = m.Score + added };
                    best[slot] = Math.Max(best[slot], contribution);
                }
            }

            return count;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(best);
            if (slotOf is not null)
            {
                ArrayPool<int>.Shared.Return(slotOf);
            }

            ArrayPool<double>.Shared.Return(last);
            ArrayPool<int>.Shared.Return(lastSource);
            if (normalized is not null)
            {
                ArrayPool<double>.Shared.Return(normalized);
            }
        }
    }

    /// <summary>Writes the normalized score of each candidate of one source into <paramref name="output"/>.</summary>
    public static void Normalize(IReadOnlyList<Candidate> candidates, ScoreNormalization normalization, Span<double> output)
    {
        var n = candidates.Count;
        var max = double.NegativeInfinity;
        var min = double.PositiveInfinity;
        for (var i = 0; i < n; i++)
        {
            var s = candidates[i].Score;
            if (!double.IsFinite(s))
            {
                throw new ArgumentException($"candidate {candidates[i].Item} of source '{candidates[i].Source}' has a non-finite score {s}", nameof(candidates));
            }

            max = Math.Max(max, s);
            min = Math.Min(min, s);
        }

        switch (normalization)
        {
            case ScoreNormalization.Max:
                for (var i = 0; i < n; i++)
                {
                    output[i] = max > 0 ? Math.Max(0, candidates[i].Score) / max : 0;
                }

                break;
            case ScoreNormalization.MinMax:
                var range = max - min;
                for (var i = 0; i < n; i++)
                {
                    output[i] = range > 0 ? (candidates[i].Score - min) / range : 1;
                }

                break;
            case ScoreNormalization.Rank:
                var order = ArrayPool<int>.Shared.Rent(n);
                var keys = ArrayPool<double>.Shared.Rent(n);
                for (var i = 0; i < n; i++)
                {
                    order[i] = i;
                    keys[i] = -candidates[i].Score;
                }

                keys.AsSpan(0, n).Sort(order.AsSpan(0, n));
                for (var r = 0; r < n; r++)
                {
                    output[order[r]] = 1.0 - ((double)r / n);
                }

                ArrayPool<int>.Shared.Return(order);
                ArrayPool<double>.Shared.Return(keys);

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown normalization");
        }
    }
}
