using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Numerics;

namespace Attune.Algorithms.Factorization;

/// <summary>Candidate-generation model trained with a sampled softmax over items.</summary>
/// <remarks>
/// Covington, Adams, Sargin, "Deep Neural Networks for YouTube Recommendations", RecSys 2016, without the
/// hidden layers: P(item i | user) = exp(u_i . x + b_i) / sum_j exp(u_j . x + b_j), where x is the weighted
/// mean of the input embeddings v_j of the user's history. As there, every user gives the same number of
/// examples per epoch (so heavy users do not dominate the loss), and the denominator is estimated from a
/// few sampled negatives with the logQ correction (see <see cref="SoftmaxGradients"/>); negatives are
/// uniform or log-uniform over the popularity rank. Parameters move by Adagrad or lazy Adam, touching only
/// the rows of the step, with users processed lock-free in parallel (Hogwild).
/// One epoch: O(users P (N + 1) f + nnz f) time for P positives and N negatives; O(items f) memory
/// for each of the input, output and optimizer tables.
/// </remarks>
public sealed class SoftmaxTrainer : ITrainer<SoftmaxOptions>
{
    public IRecommender Fit(TrainingData data, SoftmaxOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Train(data.Matrix, options, progress, cancellationToken);

    public static SoftmaxModel Train(UserItemMatrix matrix, SoftmaxOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var f = options.Factors;
        var users = matrix.Users;
        var items = matrix.Items;
        foreach (var w in matrix.Csr.Values)
        {
            if (!(w > 0) || !float.IsFinite(w))
            {
                throw new ArgumentException($"Softmax needs positive, finite interaction weights; found {w}.");
            }
        }

        var rng = new Random(options.Seed);
        var input = new float[items * f];
        var output = new float[items * f];
        var bias = new float[items];
        LatentFactors.RandomInit(input, options.InitScale, rng);
        LatentFactors.RandomInit(output, options.InitScale, rng);
        var sampler = new Sampler(matrix, options.Sampler);
        var state = new OptimizerState(options, items * f, items);
        var threads = Parallelism.Count(options.Threads);
        var order = new int[users];
        for (var u = 0; u < users; u++)
        {
            order[u] = u;
        }

        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rng.Shuffle(order);
            var seeds = new int[threads];
            for (var t = 0; t < threads; t++)
            {
                seeds[t] = rng.Next();
            }

            var losses = new double[threads];
            var counts = new long[threads];
            var po = Parallelism.Options(threads);
            po.CancellationToken = cancellationToken;
            Parallel.For(0, threads, po, t =>
            {
                var worker = new Worker(options, items, seeds[t]);
                var begin = (int)((long)users * t / threads);
                var end = (int)((long)users * (t + 1) / threads);
                for (var k = begin; k < end; k++)
                {
                    var u = order[k];
                    losses[t] += worker.Step(matrix.ItemsOf(u), matrix.WeightsOf(u), sampler, input, output, bias, state, out var positives);
                    counts[t] += positives;
                }
            });

            var loss = losses.Sum() / Math.Max(1, counts.Sum());
            if (!double.IsFinite(loss))
            {
                throw new ArithmeticException($"Softmax training diverged in epoch {epoch + 1} (loss {loss}); lower learning-rate (now {options.LearningRate}).");
            }

            progress?.Report(new TrainingProgress("softmax", epoch + 1, options.Epochs, loss));
        }

        VectorOps.EnsureFinite(input, "softmax input embeddings");
        VectorOps.EnsureFinite(output, "softmax output embeddings");
        var userVectors = new float[users * f];
        for (var u = 0; u < users; u++)
        {
            SoftmaxModel.UserVector(input, f, items, matrix.ItemsOf(u), matrix.WeightsOf(u), userVectors.AsSpan(u * f, f));
        }

        return new SoftmaxModel(options.ToString(), f, input, output, bias, userVectors);
    }

    /// <summary>Draws negatives and knows ln Q of each item.</summary>
    internal sealed class Sampler
    {
        private readonly int[] _byRank;
        private readonly double _logRange;

        public Sampler(UserItemMatrix matrix, NegativeSampler kind)
        {
            Kind = kind;
            var items = matrix.Items;
            if (kind == NegativeSampler.Uniform)
            {
                // A constant ln Q shifts every logit equally and cancels in the softmax.
                LogQ = [];
                _byRank = [];
                return;
            }

            var popularity = new int[items];
            foreach (var i in matrix.Csr.ColumnIndex)
            {
                popularity[i]++;
            }

            _byRank = new int[items];
            for (var i = 0; i < items; i++)
            {
                _byRank[i] = i;
            }

            Array.Sort(_byRank, (a, b) => popularity[a] != popularity[b] ? popularity[b].CompareTo(popularity[a]) : a.CompareTo(b));
            _logRange = Math.Log(items + 1.0);
            LogQ = new float[items];
            for (var r = 0; r < items; r++)
            {
                LogQ[_byRank[r]] = (float)Math.Log(Math.Log((r + 2.0) / (r + 1.0)) / _logRange);
            }
        }

        public NegativeSampler Kind { get; }

        public float[] LogQ { get; }

        public int Next(Random rng, int items)
        {
            if (Kind == NegativeSampler.Uniform)
            {
                return rng.Next(items);
            }

            var r = (int)Math.Exp(rng.NextDouble() * _logRange) - 1;
            return _byRank[Math.Clamp(r, 0, items - 1)];
        }
    }

    /// <summary>Adagrad or lazy-Adam state for the input table, the output table and the biases.</summary>
    internal sealed class OptimizerState
    {
        private const float Beta1 = 0.9f;
        private const float Beta2 = 0.999f;
        private const float Epsilon = 1e-8f;
        private long _step;

        public OptimizerState(SoftmaxOptions options, int tableSize, int items)
        {
            Kind = options.Optimizer;
            LearningRate = options.LearningRate;
            InputFirst = new float[tableSize];
            OutputFirst = new float[tableSize];
            BiasFirst = new float[items];
            if (Kind == SoftmaxOptimizer.Adam)
            {
                InputSecond = new float[tableSize];
                OutputSecond = new float[tableSize];
                BiasSecond = new float[items];
            }
            else
            {
                InputSecond = OutputSecond = BiasSecond = [];
            }
        }

        public SoftmaxOptimizer Kind { get; }

        public float LearningRate { get; }

        public float[] InputFirst { get; }

        public float[] InputSecond { get; }

        public float[] OutputFirst { get; }

        public float[] OutputSecond { get; }

        public float[] BiasFirst { get; }

        public float[] BiasSecond { get; }

        /// <summary>The step size for this step (Adam folds its bias corrections in).</summary>
        public float NextStepSize()
        {
            if (Kind == SoftmaxOptimizer.Adagrad)
            {
                return LearningRate;
            }

            var t = Interlocked.Increment(ref _step);
            return LearningRate * MathF.Sqrt(1 - MathF.Pow(Beta2, t)) / (1 - MathF.Pow(Beta1, t));
        }

        /// <summary>Moves <paramref name="theta"/> against <paramref name="g"/>, updating the slot's moments.</summary>
        public void Apply(Span<float> theta, ReadOnlySpan<float> g, Span<float> first, Span<float> second, float stepSize)
        {
            if (Kind == SoftmaxOptimizer.Adagrad)
            {
                for (var k = 0; k < theta.Length; k++)
                {
                    first[k] += g[k] * g[k];
                    theta[k] -= stepSize * g[k] / (MathF.Sqrt(first[k]) + 1e-6f);
                }

                return;
            }

            for (var k = 0; k < theta.Length; k++)
            {
                first[k] = (Beta1 * first[k]) + ((1 - Beta1) * g[k]);
                second[k] = (Beta2 * second[k]) + ((1 - Beta2) * g[k] * g[k]);
                theta[k] -= stepSize * first[k] / (MathF.Sqrt(second[k]) + Epsilon);
            }
        }
    }

    /// <summary>One thread's scratch and random stream.</summary>
    private sealed class Worker(SoftmaxOptions options, int items, int seed)
    {
        private readonly Random _rng = new(seed);
        private readonly SoftmaxGradients _grads = new(options.Factors, options.PositivesPerStep, options.Negatives);
        private readonly int[] _negatives = new int[options.Negatives];
        private readonly float[] _g = new float[options.Factors];
        private int[] _positions = new int[64];
        private int[] _positiveOf = new int[64];

        public double Step(ReadOnlySpan<int> history, ReadOnlySpan<float> weights, Sampler sampler, float[] input, float[] output, float[] bias, OptimizerState state, out int positiveCount)
        {
            positiveCount = 0;
            var n = history.Length;
            if (n < 2)
            {
                return 0;
            }

            if (_positions.Length < n)
            {
                _positions = new int[n * 2];
                _positiveOf = new int[n * 2];
            }

            // A random subset of the history (partial Fisher-Yates) is held out as this step's positives.
            var p = Math.Min(options.PositivesPerStep, n);
            for (var k = 0; k < n; k++)
            {
                _positions[k] = k;
                _positiveOf[k] = -1;
            }

            for (var k = 0; k < p; k++)
            {
                var r = _rng.Next(k, n);
                (_positions[k], _positions[r]) = (_positions[r], _positions[k]);
                _positiveOf[_positions[k]] = k;
            }

            for (var k = 0; k < _negatives.Length; k++)
            {
                _negatives[k] = sampler.Next(_rng, items);
            }

            var loss = _grads.Compute(history, weights, _positions.AsSpan(0, p), _negatives, sampler.LogQ, input, output, bias);
            positiveCount = p;
            var f = options.Factors;
            var reg = options.Regularization;
            var eta = state.NextStepSize();
            var g = _g.AsSpan();
            for (var s = 0; s < _grads.SlotCount; s++)
            {
                var item = _grads.SlotItem[s];
                var row = output.AsSpan(item * f, f);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row, reg, _grads.SlotGradOutput.AsSpan(s * f, f), g);
                state.Apply(row, g, state.OutputFirst.AsSpan(item * f, f), Second(state.OutputSecond, item * f, f), eta);
                g[0] = _grads.SlotGradBias[s];
                state.Apply(bias.AsSpan(item, 1), g[..1], state.BiasFirst.AsSpan(item, 1), Second(state.BiasSecond, item, 1), eta);
            }

            var direction = _grads.HistoryDirection.AsSpan();
            for (var k = 0; k < n; k++)
            {
                var item = history[k];
                var row = input.AsSpan(item * f, f);
                System.Numerics.Tensors.TensorPrimitives.Multiply(direction, weights[k], g);
                var pos = _positiveOf[k];
                if (pos >= 0)
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_grads.PositiveCorrection.AsSpan(pos * f, f), -weights[k], g, g);
                }

                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row, reg, g, g);
                state.Apply(row, g, state.InputFirst.AsSpan(item * f, f), Second(state.InputSecond, item * f, f), eta);
            }

            return loss;
        }

        private static Span<float> Second(float[] table, int start, int length) => table.Length == 0 ? default : table.AsSpan(start, length);
    }
}

/// <summary>Registers the sampled-softmax model with <see cref="AlgorithmRegistry"/>.</summary>
public sealed class SoftmaxAlgorithm : Algorithm<SoftmaxOptions>
{
    public override string Name => SoftmaxModel.Name;

    public override string Description => "Sampled-softmax candidate model (YouTube DNN style): users are the mean of their items' input embeddings; logQ-corrected negatives, Adagrad or Adam.";

    protected override IRecommender Fit(TrainingData data, SoftmaxOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        SoftmaxTrainer.Train(data.Matrix, options, progress, cancellationToken);
}
