using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;

namespace Attune.Algorithms.Hybrid;

/// <summary>Fits a <see cref="HybridModel"/>: tunes the blend weights on a validation holdout, then refits every component on all data.</summary>
/// <remarks>
/// Weighted hybridization (Burke, "Hybrid recommender systems: survey and experiments", UMUAI 2002). Tuning
/// holds out one interaction per user (the latest or a random one) or a random share of each user's, fits the components on the rest, keeps
/// each component's normalized top candidates per validation user, and runs a coordinate search over a
/// weight grid maximizing NDCG@K of the held-out items. Cost: 1 + HoldoutRepeats fits of every component, plus
/// O(users * components * candidates) per tried weight vector.
/// </remarks>
public sealed class HybridTrainer : ITrainer<HybridOptions>
{
    private const int Candidates = 200;
    private static readonly double[] Grid = [0, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3];

    public IRecommender Fit(TrainingData data, HybridOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var specs = options.ComponentSpecs();
        var parsed = specs.Select(AlgorithmRegistry.Parse).ToArray();
        if (options.TuneRounds < 1 || options.TuneCutoff < 1 || options.MaxValidationUsers < 0 || options.HoldoutRepeats < 1)
        {
            throw new ArgumentException($"TuneRounds, TuneCutoff and HoldoutRepeats must be at least 1 and MaxValidationUsers at least 0: {options}.", nameof(options));
        }

        var weights = options.GivenWeights(specs.Length) ?? Tune(data, options, parsed, progress, cancellationToken);
        var components = new IRecommender[parsed.Length];
        for (var c = 0; c < parsed.Length; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new TrainingProgress("fit " + parsed[c].Algorithm.Name, c, parsed.Length));

            // A component tuned to weight 0 is fitted too, so the saved blend keeps its shape and stays comparable.
            components[c] = parsed[c].Algorithm.Fit(data, parsed[c].Options, null, cancellationToken);
        }

        progress?.Report(new TrainingProgress("fit", parsed.Length, parsed.Length));
        return new HybridModel(HybridModel.Describe(options, specs, weights), components, weights, options.Normalization);
    }

    private static double[] Tune(TrainingData data, HybridOptions options, (IAlgorithm Algorithm, object Options)[] parsed, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var n = parsed.Length;
        var equal = Enumerable.Repeat(1.0 / n, n).ToArray();
        if (n == 1)
        {
            return equal;
        }

        var tables = new List<CandidateTable>();
        for (var repeat = 0; repeat < options.HoldoutRepeats; repeat++)
        {
            var seed = options.Seed + repeat;
            var (train, held) = ValidationSplit.CreateMany(data, options.Holdout, seed, options.HoldoutShare);
            var users = Enumerable.Range(0, held.Length).Where(u => held[u].Length > 0).ToArray();
            if (options.MaxValidationUsers > 0 && users.Length > options.MaxValidationUsers)
            {
                new Random(seed).Shuffle(users);
                users = users[..options.MaxValidationUsers];
                Array.Sort(users);
            }

            if (users.Length == 0)
            {
                continue;
            }

            var table = new CandidateTable(users.Length, n);
            for (var c = 0; c < n; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new TrainingProgress("validation fit " + parsed[c].Algorithm.Name, (repeat * n) + c, options.HoldoutRepeats * n));
                var model = parsed[c].Algorithm.Fit(train, parsed[c].Options, null, cancellationToken);
                table.Collect(model, c, users, train, options.Normalization, cancellationToken);
            }

            table.Finish(users, held);
            tables.Add(table);
        }

        if (tables.Count == 0)
        {
            return equal;
        }

        double Score(double[] w) => tables.Average(t => t.Ndcg(w, options.TuneCutoff));

        var best = (double[])equal.Clone();
        var bestScore = Score(best);
        for (var round = 0; round < options.TuneRounds; round++)
        {
            for (var c = 0; c < n; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var g in Grid)
                {
                    var w = (double[])best.Clone();
                    w[c] = g;
                    if (w.Sum() <= 0)
                    {
                        continue;
                    }

                    var score = Score(w);
                    if (score > bestScore + 1e-12)
                    {
                        bestScore = score;
                        best = w;
                    }
                }
            }

            progress?.Report(new TrainingProgress("tune", round + 1, options.TuneRounds, -bestScore));
        }

        var sum = best.Sum();
        return best.Select(w => w / sum).ToArray();
    }

    /// <summary>Per validation user, the union of every component's top candidates with each component's normalized score.</summary>
    private sealed class CandidateTable(int userCount, int components)
    {
        private readonly int[][][] _items = new int[userCount][][];
        private readonly float[][][] _values = new float[userCount][][];
        private readonly float[][] _floor = new float[userCount][];

        // After Finish: per user the candidate items, a [candidate x component] score block, and the held-out candidate's row.
        private int[][] _candidates = [];
        private float[][] _block = [];
        private int[][] _targets = [];
        private int[] _heldCount = [];

        public void Collect(IRecommender model, int component, int[] users, TrainingData train, ScoreNormalization normalization, CancellationToken cancellationToken)
        {
            Parallel.For(
                0,
                users.Length,
                new ParallelOptions { CancellationToken = cancellationToken },
                () => (Scores: new float[model.ItemCount], Index: new int[Candidates], Value: new float[Candidates]),
                (k, _, s) =>
                {
                    var u = users[k];
                    _items[k] ??= new int[components][];
                    _values[k] ??= new float[components][];
                    _floor[k] ??= new float[components];
                    if (!model.TryScore(u, s.Scores))
                    {
                        _items[k][component] = [];
                        _values[k][component] = [];
                        return s;
                    }

                    ScoreBlend.Normalize(s.Scores, normalization);
                    foreach (var i in train.Matrix.ItemsOf(u))
                    {
                        s.Scores[i] = float.NegativeInfinity;
                    }

                    var count = Attune.Numerics.TopK.Select(s.Scores, Candidates, s.Index, s.Value);
                    _items[k][component] = s.Index[..count];
                    _values[k][component] = s.Value[..count];

                    // An item outside a component's candidates scores at most its last candidate.
                    _floor[k][component] = count == Candidates ? s.Value[count - 1] : 0;
                    return s;
                },
                _ => { });
        }

        public void Finish(int[] users, int[][] held)
        {
            _candidates = new int[users.Length][];
            _block = new float[users.Length][];
            _targets = new int[users.Length][];
            _heldCount = new int[users.Length];
            for (var k = 0; k < users.Length; k++)
            {
                var union = new SortedSet<int>();
                for (var c = 0; c < components; c++)
                {
                    union.UnionWith(_items[k][c]);
                }

                var cands = union.ToArray();
                var block = new float[cands.Length * components];
                for (var c = 0; c < components; c++)
                {
                    var lookup = new Dictionary<int, float>(_items[k][c].Length);
                    for (var p = 0; p < _items[k][c].Length; p++)
                    {
                        lookup[_items[k][c][p]] = _values[k][c][p];
                    }

                    for (var x = 0; x < cands.Length; x++)
                    {
                        block[(x * components) + c] = lookup.TryGetValue(cands[x], out var v) ? v : _floor[k][c];
                    }
                }

                _candidates[k] = cands;
                _block[k] = block;
                _heldCount[k] = held[users[k]].Length;
                _targets[k] = held[users[k]].Select(i => Array.BinarySearch(cands, i)).Where(x => x >= 0).ToArray();
            }
        }

        /// <summary>
        /// Mean NDCG@K of the held-out items under the blend weights; a held-out item no component ranked
        /// counts in the ideal DCG only. Ties go to the smaller item index, as in evaluation.
        /// </summary>
        public double Ndcg(double[] weights, int cutoff)
        {
            var total = 0d;
            var w = weights.Select(x => (float)x).ToArray();
            for (var k = 0; k < _candidates.Length; k++)
            {
                var targets = _targets[k];
                if (targets.Length == 0)
                {
                    continue;
                }

                var block = _block[k];
                var dcg = 0d;
                foreach (var t in targets)
                {
                    var target = Blend(block, t, w);
                    var better = 0;
                    for (var x = 0; x < _candidates[k].Length && better < cutoff; x++)
                    {
                        var s = Blend(block, x, w);
                        if (s > target || (s == target && x < t))
                        {
                            better++;
                        }
                    }

                    if (better < cutoff)
                    {
                        dcg += 1 / Math.Log2(better + 2);
                    }
                }

                var idcg = 0d;
                for (var p = 0; p < Math.Min(cutoff, _heldCount[k]); p++)
                {
                    idcg += 1 / Math.Log2(p + 2);
                }

                total += dcg / idcg;
            }

            return total / Math.Max(1, _candidates.Length);
        }

        private float Blend(float[] block, int row, float[] w)
        {
            var s = 0f;
            var o = row * components;
            for (var c = 0; c < components; c++)
            {
                s += w[c] * block[o + c];
            }

            return s;
        }
    }
}

/// <summary>Describes the hybrid to the registry.</summary>
public sealed class HybridAlgorithm : Algorithm<HybridOptions>
{
    public override string Name => HybridModel.Name;

    public override string Description => "Weighted blend of other models' normalized scores, weights tuned on a validation holdout";

    protected override IRecommender Fit(TrainingData data, HybridOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new HybridTrainer().Fit(data, options, progress, cancellationToken);
}
