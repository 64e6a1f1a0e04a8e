using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
/// Each step is short arithmetic on random memory, so sampling is software-pipelined with prefetches and
/// negatives are checked in a users x items bit matrix where that fits (see <see cref="SeenSet"/>).
/// One epoch: O(nnz f) time (plus O(1), or O(log n_u) without the bit matrix, per negative check);
/// O((users + items) f) memory plus users x items bits.
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
        if (nnz == 0 || items < 2)
        {
            return new BprModel(options.ToString(), f, p, q, bias);
        }

        // (user, item) of every interaction side by side, so drawing a positive costs one cache miss.
        var pairs = new int[2 * (long)nnz];
        for (var u = 0; u < users; u++)
        {
            for (var k = csr.RowStart[u]; k < csr.RowStart[u + 1]; k++)
            {
                pairs[2 * k] = u;
                pairs[(2 * k) + 1] = csr.ColumnIndex[k];
            }
        }

        var seen = options.VerifyNegatives ? SeenSet.Build(csr) : null;
        var threads = Parallelism.Count(options.Threads);
        var randoms = new FastRandom[threads];
        for (var t = 0; t < threads; t++)
        {
            randoms[t] = new FastRandom((ulong)rng.Next());
        }

        var lossSums = new double[threads];
        var shared = new SgdState(pairs, nnz, items, p, q, bias, f, options.Regularization, seen);
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var po = Parallelism.Options(threads);
            po.CancellationToken = cancellationToken;
            var rate = options.LearningRate * (1f - (options.LearningRateDecay * epoch / Math.Max(1, options.Epochs)));
            Parallel.For(0, threads, po, t =>
            {
                var samples = (nnz / threads) + (t < nnz % threads ? 1 : 0);

                // The generator runs in a local copy: two threads stepping states that share a cache line
                // would bounce that line between cores on every draw.
                var local = randoms[t];
                lossSums[t] = RunSamples(shared, rate, ref local, samples);
                randoms[t] = local;
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

    /// <summary>
    /// Draws and applies <paramref name="samples"/> triples through a software pipeline, because every
    /// triple touches random memory (its interaction, three factor rows, the user's seen bits) and the
    /// arithmetic is short: a triple's interaction index and negative are drawn <see cref="Ahead"/> steps
    /// early and their interaction prefetched; half-way its user and positive are read and the rows and seen
    /// bits prefetched; at its turn the negative is checked (redrawn if seen) and the step applied.
    /// Returns the summed loss of every <see cref="LossStride"/>-th triple times the stride (an unbiased
    /// estimate of the total: the logarithm costs as much as the rest of the step's arithmetic).
    /// </summary>
    private static unsafe double RunSamples(SgdState st, float lr, ref FastRandom rng, int samples)
    {
        const int Mask = Ahead - 1;
        const int Half = Ahead / 2;
        var f = st.Factors;
        var reg = st.Regularization;
        var hasBias = st.Bias.Length > 0;
        var nnz = st.NonZeros;
        var items = st.Items;
        var seen = st.Seen;
        var loss = 0.0;
        var ks = stackalloc long[Ahead];
        var us = stackalloc int[Ahead];
        var is_ = stackalloc int[Ahead];
        var js = stackalloc int[Ahead];
        fixed (int* pairs = st.Pairs)
        fixed (float* pp = st.P)
        fixed (float* pq = st.Q)
        fixed (float* pb = st.Bias)
        {
            // Slot (s & Mask) holds triple s; stage one fills triple s + Ahead, stage two triple s + Half.
            for (var s = -Ahead; s < samples; s++)
            {
                var far = s + Ahead;
                if (far < samples)
                {
                    var k = (long)rng.Next(nnz);
                    ks[far & Mask] = k;
                    js[far & Mask] = rng.Next(items);
                    PrefetchLine(pairs + (2 * k));
                }

                var mid = s + Half;
                if (mid >= 0 && mid < samples)
                {
                    var slot = mid & Mask;
                    var k = ks[slot];
                    var u = pairs[2 * k];
                    var i = pairs[(2 * k) + 1];
                    us[slot] = u;
                    is_[slot] = i;
                    Prefetch(pp + ((long)u * f), f);
                    Prefetch(pq + ((long)i * f), f);
                    Prefetch(pq + ((long)js[slot] * f), f);
                    seen?.Prefetch(u, js[slot]);
                }

                if (s < 0)
                {
                    continue;
                }

                var cur = s & Mask;
                var cu = us[cur];
                var ci = is_[cur];
                var cj = js[cur];
                if (seen is not null)
                {
                    if (seen.IsFull(cu))
                    {
                        continue;
                    }

                    while (seen.Contains(cu, cj))
                    {
                        cj = rng.Next(items);
                    }
                }

                loss += Step(pp + ((long)cu * f), pq + ((long)ci * f), pq + ((long)cj * f), hasBias ? pb + ci : null, hasBias ? pb + cj : null, f, lr, reg, (s & (LossStride - 1)) == 0);
            }
        }

        return loss * LossStride;
    }

    /// <summary>Pipeline depth of <see cref="RunSamples"/>, a power of two.</summary>
    private const int Ahead = 8;

    private const int LossStride = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void PrefetchLine(void* address)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(address);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(float* row, int f)
    {
        if (Sse.IsSupported)
        {
            for (var k = 0; k < f; k += 16)
            {
                Sse.Prefetch0(row + k);
            }
        }
    }

    /// <summary>What every SGD thread shares for one fit.</summary>
    private sealed record SgdState(int[] Pairs, int NonZeros, int Items, float[] P, float[] Q, float[] Bias, int Factors, float Regularization, SeenSet? Seen);

    /// <summary>
    /// One LearnBPR step on a triple, all updates from the old values: ascends
    /// ln sigma(x_uij) - reg/2 (|u|^2 + |i|^2 + |j|^2 + b_i^2 + b_j^2). Returns -ln sigma(x_uij) before the step
    /// (0 when <paramref name="computeLoss"/> is false).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe double Step(float* u, float* i, float* j, float* bi, float* bj, int f, float lr, float reg, bool computeLoss = true)
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
        var loss = computeLoss ? -MathF.Log(MathF.Max(1f - z, 1e-30f)) : 0f;
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

/// <summary>
/// Membership of (user, item) pairs for negative sampling: a dense bit matrix when it is small (one memory
/// access per check), otherwise a binary search of the user's sorted row.
/// </summary>
internal sealed class SeenSet
{
    /// <summary>Largest bit matrix built, in bytes; above it the set falls back to binary search.</summary>
    internal const long MaxBitmapBytes = 256L << 20;

    private readonly CsrMatrix _csr;
    private readonly ulong[]? _bits;
    private readonly int _wordsPerRow;

    private SeenSet(CsrMatrix csr, ulong[]? bits, int wordsPerRow)
    {
        _csr = csr;
        _bits = bits;
        _wordsPerRow = wordsPerRow;
    }

    public bool UsesBitmap => _bits is not null;

    public static SeenSet Build(CsrMatrix csr, long maxBitmapBytes = MaxBitmapBytes)
    {
        var words = (csr.Columns + 63) / 64;
        if ((long)words * csr.Rows * sizeof(ulong) > maxBitmapBytes)
        {
            return new SeenSet(csr, null, 0);
        }

        var bits = new ulong[(long)words * csr.Rows];
        for (var u = 0; u < csr.Rows; u++)
        {
            foreach (var i in csr.RowColumns(u))
            {
                bits[((long)u * words) + (i >> 6)] |= 1UL << (i & 63);
            }
        }

        return new SeenSet(csr, bits, words);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(int user, int item)
    {
        if (_bits is { } bits)
        {
            fixed (ulong* b = bits)
            {
                BprTrainer.PrefetchLine(b + ((long)user * _wordsPerRow) + (item >> 6));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsFull(int user) => _csr.RowLength(user) >= _csr.Columns;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(int user, int item) => _bits is { } bits
        ? (bits[((long)user * _wordsPerRow) + (item >> 6)] & (1UL << (item & 63))) != 0
        : _csr.RowColumns(user).BinarySearch(item) >= 0;
}

/// <summary>Registers BPR with <see cref="AlgorithmRegistry"/>.</summary>
public sealed class BprAlgorithm : Algorithm<BprOptions>
{
    public override string Name => BprModel.Name;

    public override string Description => "BPR-MF: pairwise ranking matrix factorization (Rendle et al. 2009) by lock-free parallel SGD with uniform negatives.";

    protected override IRecommender Fit(TrainingData data, BprOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        BprTrainer.Train(data.Matrix, options, progress, cancellationToken);
}
