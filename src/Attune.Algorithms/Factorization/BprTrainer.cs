using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Numerics;

namespace Attune.Algorithms.Factorization;

/// <summary>Bayesian personalized ranking matrix factorization trained by lock-free parallel SGD.</summary>
/// <remarks>
/// Rendle, Freudenthaler, Gantner, Schmidt-Thieme, "BPR: Bayesian Personalized Ranking from Implicit
/// Feedback", UAI 2009: maximize sum ln sigma(x_ui - x_uj) - lambda |theta|^2 over triples of a user, an item
/// they interacted with and a uniformly drawn item they did not, by SGD on one triple at a time
/// (LearnBPR). Threads update the shared factors without locks (Niu, Recht, Re, Wright, "Hogwild!",
/// NIPS 2011): each triple touches three rows, so collisions are rare and harmless.
/// One epoch: O(nnz f) time (plus O(log n_u) per negative check); O((users + items) f) memory.
/// </remarks>
public sealed class BprTrainer : ITrainer<BprOptions>
{
    public IRecommender Fit(TrainingData data, BprOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Train(data.Matrix, options, progress, cancellationToken);

    public static unsafe BprModel Train(UserItemMatrix matrix, BprOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var f = options.Factors;
        var csr = matrix.Csr;
        var users = matrix.Users;
        var items = matrix.Items;
        var rng = new Random(options.Seed);
        var p = new float[users * f];
        var q = new float[items * f];
        var bias = new float[options.ItemBias ? items : 0];
        LatentFactors.RandomInit(p, options.InitScale / f, rng);
        LatentFactors.RandomInit(q, options.InitScale / f, rng);
        var nnz = csr.NonZeros;
        var userOf = new int[nnz];
        for (var u = 0; u < users; u++)
        {
            userOf.AsSpan(csr.RowStart[u], csr.RowLength(u)).Fill(u);
        }

        var threads = Parallelism.Count(options.Threads);
        var seeds = new int[threads];
        for (var t = 0; t < threads; t++)
        {
            seeds[t] = rng.Next();
        }

        var lossSums = new double[threads];
        var randoms = new FastRandom[threads];
        for (var t = 0; t < threads; t++)
        {
            randoms[t] = new FastRandom((ulong)seeds[t]);
        }

        if (nnz == 0 || items < 2)
        {
            return new BprModel(options.ToString(), f, p, q, bias);
        }

        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var po = Parallelism.Options(threads);
            po.CancellationToken = cancellationToken;
            var rate = options.LearningRate * (1f - (options.LearningRateDecay * epoch / Math.Max(1, options.Epochs)));
            Parallel.For(0, threads, po, t =>
            {
                var samples = (nnz / threads) + (t < nnz % threads ? 1 : 0);
                lossSums[t] = RunSamples(csr, userOf, p, q, bias, f, options, rate, ref randoms[t], samples);
            });

            var loss = 0.0;
            foreach (var s in lossSums)
            {
                loss += s;
            }

            loss /= nnz;
            if (!double.IsFinite(loss))
            {
                throw new ArithmeticException($"BPR diverged in epoch {epoch + 1} (loss {loss}); lower learning-rate (now {options.LearningRate}).");
            }

            progress?.Report(new TrainingProgress("bpr", epoch + 1, options.Epochs, loss));
        }

        VectorOps.EnsureFinite(p, "BPR user factors");
        VectorOps.EnsureFinite(q, "BPR item factors");
        return new BprModel(options.ToString(), f, p, q, bias);
    }

    private static unsafe double RunSamples(CsrMatrix csr, int[] userOf, float[] p, float[] q, float[] bias, int f, BprOptions options, float lr, ref FastRandom rng, int samples)
    {
        var nnz = csr.NonZeros;
        var items = csr.Columns;
        var reg = options.Regularization;
        var hasBias = bias.Length > 0;
        var loss = 0.0;
        fixed (float* pp = p)
        fixed (float* pq = q)
        fixed (float* pb = bias)
        {
            for (var s = 0; s < samples; s++)
            {
                var k = rng.Next(nnz);
                var u = userOf[k];
                var i = csr.ColumnIndex[k];
                var j = rng.Next(items);
                if (options.VerifyNegatives)
                {
                    var row = csr.RowColumns(u);
                    if (row.Length >= items)
                    {
                        continue;
                    }

                    while (row.BinarySearch(j) >= 0)
                    {
                        j = rng.Next(items);
                    }
                }

                loss += Step(pp + ((long)u * f), pq + ((long)i * f), pq + ((long)j * f), hasBias ? pb + i : null, hasBias ? pb + j : null, f, lr, reg);
            }
        }

        return loss;
    }

    /// <summary>
    /// One LearnBPR step on a triple, all updates from the old values: ascends
    /// ln sigma(x_uij) - reg/2 (|u|^2 + |i|^2 + |j|^2 + b_i^2 + b_j^2). Returns -ln sigma(x_uij) before the step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe double Step(float* u, float* i, float* j, float* bi, float* bj, int f, float lr, float reg)
    {
        var x = 0f;
        var k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            for (; k + 8 <= f; k += 8)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(u + k), Vector256.Load(i + k) - Vector256.Load(j + k), acc);
            }

            x = Vector256.Sum(acc);
        }

        for (; k < f; k++)
        {
            x += u[k] * (i[k] - j[k]);
        }

        if (bi is not null)
        {
            x += *bi - *bj;
        }

        // z = sigma(-x) = d ln sigma(x) / dx.
        var z = 1f / (1f + MathF.Exp(x));
        // -ln sigma(x) = -ln(1 - z); the floor keeps a hopeless triple's loss finite.
        var loss = -MathF.Log(MathF.Max(1f - z, 1e-30f));
        var lz = lr * z;
        var decay = 1f - (lr * reg);
        k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vz = Vector256.Create(lz);
            var vd = Vector256.Create(decay);
            for (; k + 8 <= f; k += 8)
            {
                var vu = Vector256.Load(u + k);
                var vi = Vector256.Load(i + k);
                var vj = Vector256.Load(j + k);
                Vector256.FusedMultiplyAdd(vz, vi - vj, vd * vu).Store(u + k);
                Vector256.FusedMultiplyAdd(vz, vu, vd * vi).Store(i + k);
                Vector256.FusedMultiplyAdd(-vz, vu, vd * vj).Store(j + k);
            }
        }

        for (; k < f; k++)
        {
            var uk = u[k];
            var ik = i[k];
            var jk = j[k];
            u[k] = (decay * uk) + (lz * (ik - jk));
            i[k] = (decay * ik) + (lz * uk);
            j[k] = (decay * jk) - (lz * uk);
        }

        if (bi is not null)
        {
            *bi = (decay * *bi) + lz;
            *bj = (decay * *bj) - lz;
        }

        return loss;
    }
}

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): the sampler draws two or three numbers per SGD step, where
/// <see cref="Random"/> with a seed (the legacy subtractive generator) costs more than the update itself.
/// </summary>
internal struct FastRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Uniform in [0, max) by Lemire's multiply-shift (bias below 2^-32 for the sizes used here).</summary>
    public int Next(int max)
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        var r = (uint)(Mix(_state) >> 32);
        return (int)(((ulong)r * (ulong)max) >> 32);
    }

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}

/// <summary>Registers BPR with <see cref="AlgorithmRegistry"/>.</summary>
public sealed class BprAlgorithm : Algorithm<BprOptions>
{
    public override string Name => BprModel.Name;

    public override string Description => "BPR-MF: pairwise ranking matrix factorization (Rendle et al. 2009) by lock-free parallel SGD with uniform negatives.";

    protected override IRecommender Fit(TrainingData data, BprOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        BprTrainer.Train(data.Matrix, options, progress, cancellationToken);
}
