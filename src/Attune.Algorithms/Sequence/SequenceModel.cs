using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Neighbors;
using Attune.Algorithms.Serialization;

namespace Attune.Algorithms.Sequence;

/// <summary>Fits <see cref="SequenceModel"/>.</summary>
/// <remarks>
/// A time-decayed item-to-item transition model, in the family of first-order Markov chain and
/// session-kNN recommenders (Rendle et al., "Factorizing personalized Markov chains", WWW 2010; Ludewig and
/// Jannach, "Evaluation of session-based recommendation algorithms", UMUAI 2018): from every user's
/// time-ordered history, each event links to the next W events with weight Decay^(distance-1) (and, with
/// CoOccurrence > 0, to the W events before it), and every item's row is normalized to sum 1.
/// O(events * W) time, O(distinct transitions) memory.
/// </remarks>
public sealed class SequenceTrainer : ITrainer<SequenceOptions>
{
    public IRecommender Fit(TrainingData data, SequenceOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var sequences = UserSequences.From(data);
        var factor = new float[options.Window + 1];
        factor[1] = 1;
        for (var d = 2; d <= options.Window; d++)
        {
            factor[d] = factor[d - 1] * options.Decay;
        }

        // Sized up front: the pair lists are the bulk of the fit's memory.
        long pairs = 0;
        for (var u = 0; u < sequences.Rows; u++)
        {
            var n = (long)sequences.RowLength(u);
            var w = Math.Min(options.Window, Math.Max(0, n - 1));
            pairs += (w * n) - (w * (w + 1) / 2);
        }

        if (options.CoOccurrence > 0)
        {
            pairs *= 2;
        }

        if (pairs > Array.MaxLength)
        {
            throw new ArgumentException($"{pairs} transitions exceed one array; lower Window ({options.Window}).", nameof(options));
        }

        var from = new int[pairs];
        var to = new int[pairs];
        var weight = new float[pairs];
        var k = 0;
        for (var u = 0; u < sequences.Rows; u++)
        {
            if ((u & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var seq = sequences.RowColumns(u);
            for (var p = 0; p < seq.Length; p++)
            {
                var end = Math.Min(seq.Length, p + options.Window + 1);
                for (var q = p + 1; q < end; q++)
                {
                    if (seq[q] == seq[p])
                    {
                        continue;
                    }

                    from[k] = seq[p];
                    to[k] = seq[q];
                    weight[k++] = factor[q - p];
                    if (options.CoOccurrence > 0)
                    {
                        from[k] = seq[q];
                        to[k] = seq[p];
                        weight[k++] = options.CoOccurrence * factor[q - p];
                    }
                }
            }
        }

        progress?.Report(new TrainingProgress("transitions", 1, 2));
        var items = data.Items.Count;
        var transitions = CsrMatrix.FromCoordinates(items, items, from.AsSpan(0, k), to.AsSpan(0, k), weight.AsSpan(0, k));
        transitions = Prune(transitions, options.MaxTransitions);
        Normalize(transitions, options.RowNormalization, options.TargetDiscount);
        progress?.Report(new TrainingProgress("transitions", 2, 2));
        return new SequenceModel(options, sequences, transitions);
    }

    private static CsrMatrix Prune(CsrMatrix m, int keep)
    {
        if (keep == 0)
        {
            return m;
        }

        var start = new int[m.Rows + 1];
        var cols = new List<int>();
        var vals = new List<float>();
        for (var r = 0; r < m.Rows; r++)
        {
            foreach (var s in NeighborList.Best(m, r, keep).OrderBy(s => s.Item))
            {
                cols.Add(s.Item);
                vals.Add(s.Score);
            }

            start[r + 1] = cols.Count;
        }

        return new CsrMatrix(m.Rows, m.Columns, start, cols.ToArray(), vals.ToArray());
    }

    private static void Normalize(CsrMatrix m, float rowExponent, float targetExponent)
    {
        if (targetExponent > 0)
        {
            var inWeight = new float[m.Columns];
            for (var p = 0; p < m.NonZeros; p++)
            {
                inWeight[m.ColumnIndex[p]] += m.Values[p];
            }

            for (var p = 0; p < m.NonZeros; p++)
            {
                m.Values[p] /= MathF.Pow(inWeight[m.ColumnIndex[p]], targetExponent);
            }
        }

        for (var r = 0; r < m.Rows; r++)
        {
            var sum = 0f;
            for (var p = m.RowStart[r]; p < m.RowStart[r + 1]; p++)
            {
                sum += m.Values[p];
            }

            if (sum > 0)
            {
                var scale = MathF.Pow(sum, -rowExponent);
                for (var p = m.RowStart[r]; p < m.RowStart[r + 1]; p++)
                {
                    m.Values[p] *= scale;
                }
            }
        }
    }
}

/// <summary>
/// Scores the items that tend to follow the user's latest events: score = sum over the last L events (latest
/// first, age rank a = 0, 1, ...) of HistoryDecay^a * (that item's transition row). O(L * row length).
/// </summary>
public sealed class SequenceModel : IRecommender, IFoldIn, ISimilarItems, IPersistableModel
{
    public const string Name = "sequence";

    private readonly SequenceOptions _options;
    private readonly CsrMatrix _sequences;
    private readonly CsrMatrix _transitions;

    static SequenceModel() => ModelFile.Register(Name, Read);

    public SequenceModel(SequenceOptions options, CsrMatrix sequences, CsrMatrix transitions)
    {
        _options = options;
        _sequences = sequences;
        _transitions = transitions;
    }

    public string Algorithm => Name;

    public string Options => _options.ToString();

    public int UserCount => _sequences.Rows;

    public int ItemCount => _transitions.Rows;

    /// <summary>Row-normalized transitions: row i says what tends to come after item i.</summary>
    public CsrMatrix Transitions => _transitions;

    public bool TryScore(int user, Span<float> scores)
    {
        if ((uint)user >= (uint)UserCount || _sequences.RowLength(user) == 0)
        {
            return false;
        }

        ScoreSequence(_sequences.RowColumns(user), scores);
        return true;
    }

    /// <summary>Only the order of the history matters here; weights are ignored.</summary>
    public void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, Span<float> scores) => ScoreSequence(items, scores);

    public IReadOnlyList<ScoredItem> SimilarItems(int item, int n) => NeighborList.Best(_transitions, item, n);

    public void WritePayload(BinaryWriter writer)
    {
        writer.Write(_options.Window);
        writer.Write(_options.Decay);
        writer.Write(_options.HistoryLength);
        writer.Write(_options.HistoryDecay);
        writer.Write(_options.CoOccurrence);
        writer.Write(_options.RowNormalization);
        writer.Write(_options.TargetDiscount);
        writer.Write(_options.MaxTransitions);
        writer.WriteCsr(_sequences);
        writer.WriteCsr(_transitions);
    }

    private static SequenceModel Read(BinaryReader reader)
    {
        var options = new SequenceOptions
        {
            Window = reader.ReadInt32(),
            Decay = reader.ReadSingle(),
            HistoryLength = reader.ReadInt32(),
            HistoryDecay = reader.ReadSingle(),
            CoOccurrence = reader.ReadSingle(),
            RowNormalization = reader.ReadSingle(),
            TargetDiscount = reader.ReadSingle(),
            MaxTransitions = reader.ReadInt32(),
        };
        return new SequenceModel(options, reader.ReadCsr(), reader.ReadCsr());
    }

    private void ScoreSequence(ReadOnlySpan<int> sequence, Span<float> scores)
    {
        scores[..ItemCount].Clear();
        var w = 1f;
        var used = 0;
        for (var h = sequence.Length - 1; h >= 0 && used < _options.HistoryLength; h--)
        {
            var item = sequence[h];
            if ((uint)item >= (uint)ItemCount)
            {
                continue;
            }

            var cols = _transitions.RowColumns(item);
            var vals = _transitions.RowValues(item);
            for (var p = 0; p < cols.Length; p++)
            {
                scores[cols[p]] += w * vals[p];
            }

            w *= _options.HistoryDecay;
            used++;
        }
    }
}

/// <summary>Describes the sequence model to the registry.</summary>
public sealed class SequenceAlgorithm : Algorithm<SequenceOptions>
{
    public override string Name => SequenceModel.Name;

    public override string Description => "Next-item model: time-decayed item-to-item transitions from each user's ordered history";

    protected override IRecommender Fit(TrainingData data, SequenceOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new SequenceTrainer().Fit(data, options, progress, cancellationToken);
}
