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
/// source with the largest weighted contribution. A source that proposes the same item twice counts its best score.
/// </summary>
/// <remarks>O(total candidates + sources x candidates-per-source log) for rank normalization; one dictionary and one
/// output array per request. Ties in the final order are broken by item index, so the merge is deterministic.</remarks>
public static class CandidateMerger
{
    public static Candidate[] Merge(IReadOnlyList<CandidateSource> sources, ScoreNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var total = 0;
        foreach (var s in sources)
        {
            total += s.Candidates.Count;
        }

        var slots = new Dictionary<int, int>(total);
        var merged = new Candidate[total];
        var best = new double[total];
        var count = 0;
        double[]? normalized = null;
        foreach (var source in sources)
        {
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
                normalized = new double[n];
            }

            Normalize(source.Candidates, normalization, normalized.AsSpan(0, n));
            for (var i = 0; i < n; i++)
            {
                var c = source.Candidates[i];
                var contribution = source.Weight * normalized[i];
                if (!slots.TryGetValue(c.Item, out var slot))
                {
                    slot = count++;
                    slots.Add(c.Item, slot);
                    merged[slot] = new Candidate(c.Item, contribution, source.Name, c.Reason);
                    best[slot] = contribution;
                    continue;
                }

                var m = merged[slot];
                if (m.Source == source.Name)
                {
                    // The same source twice: keep its best score, not the sum.
                    if (contribution > best[slot])
                    {
                        merged[slot] = new Candidate(c.Item, m.Score - best[slot] + contribution, source.Name, c.Reason);
                        best[slot] = contribution;
                    }

                    continue;
                }

                if (contribution > best[slot])
                {
                    merged[slot] = new Candidate(c.Item, m.Score + contribution, source.Name, c.Reason);
                    best[slot] = contribution;
                }
                else
                {
                    merged[slot] = m with { Score = m.Score + contribution };
                }
            }
        }

        return count == total ? merged : merged[..count];
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
                var order = new int[n];
                var keys = new double[n];
                for (var i = 0; i < n; i++)
                {
                    order[i] = i;
                    keys[i] = -candidates[i].Score;
                }

                Array.Sort(keys, order);
                for (var r = 0; r < n; r++)
                {
                    output[order[r]] = 1.0 - ((double)r / n);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown normalization");
        }
    }
}
