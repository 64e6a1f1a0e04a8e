using System.Numerics.Tensors;

namespace Attune.Algorithms.Factorization;

/// <summary>
/// Loss and sparse gradients of one sampled-softmax step for one user: a few held-out positives of the
/// user, each predicted from the rest of the history, against shared sampled negatives.
/// </summary>
/// <remarks>
/// For positive i the input is x = (S - w_i v_i) / (W - w_i) with S = sum_j w_j v_j and W = sum_j w_j
/// over the user's history (the positive is left out, so the model cannot learn to echo its input).
/// Logits are o_k = u_k . x + b_k - ln Q(k) for the positive and the negatives (Q the sampling
/// probability: the logQ correction of Jean et al. 2015 / Yi et al. 2019 that makes the sampled softmax
/// an unbiased estimate of the full one), accidental hits (a negative equal to the positive) dropped, and
/// the loss is -ln softmax(o)_positive. Gradients: dL/do = softmax(o) - onehot; d u_k = dL/do_k x;
/// d x = sum_k dL/do_k u_k; d v_j = w_j d x / (W - w_i) for j != i. The history gradient is kept as one
/// shared direction plus a correction per positive, so a step costs O((P (N + 1) + n) f), not O(P n f).
/// </remarks>
internal sealed class SoftmaxGradients
{
    private readonly int _f;
    private readonly float[] _x;
    private readonly float[] _sum;
    private readonly float[] _dx;
    private readonly float[] _logits;

    public SoftmaxGradients(int factors, int maxPositives, int negatives)
    {
        _f = factors;
        var slots = maxPositives + negatives;
        SlotItem = new int[slots];
        SlotGradOutput = new float[slots * factors];
        SlotGradBias = new float[slots];
        HistoryDirection = new float[factors];
        PositiveCorrection = new float[maxPositives * factors];
        PositiveItem = new int[maxPositives];
        _x = new float[factors];
        _sum = new float[factors];
        _dx = new float[factors];
        _logits = new float[negatives + 1];
    }

    /// <summary>Item of each output slot: positives first, then negatives (items may repeat).</summary>
    public int[] SlotItem { get; }

    /// <summary>Gradient of the output vector of each slot's item (slots x f).</summary>
    public float[] SlotGradOutput { get; }

    public float[] SlotGradBias { get; }

    public int SlotCount { get; private set; }

    /// <summary>Every history item j gets w_j times this in its input-vector gradient.</summary>
    public float[] HistoryDirection { get; }

    /// <summary>Positive p's input vector gradient additionally gets -w_p times row p of this.</summary>
    public float[] PositiveCorrection { get; }

    public int[] PositiveItem { get; }

    public int PositiveCount { get; private set; }

    /// <summary>Computes the step's loss (summed over positives) and fills the gradient buffers.</summary>
    /// <param name="positives">Indices into <paramref name="history"/> of the positives to predict.</param>
    /// <param name="logQ">ln Q(item) of the sampler, or empty for no correction.</param>
    public double Compute(
        ReadOnlySpan<int> history, ReadOnlySpan<float> weights, ReadOnlySpan<int> positives, ReadOnlySpan<int> negatives,
        ReadOnlySpan<float> logQ, ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> bias)
    {
        var f = _f;
        var sum = _sum.AsSpan();
        sum.Clear();
        var totalWeight = 0f;
        for (var k = 0; k < history.Length; k++)
        {
            TensorPrimitives.MultiplyAdd(input.Slice(history[k] * f, f), weights[k], sum, sum);
            totalWeight += weights[k];
        }

        var s = HistoryDirection.AsSpan();
        s.Clear();
        SlotCount = positives.Length + negatives.Length;
        PositiveCount = positives.Length;
        SlotGradOutput.AsSpan(0, SlotCount * f).Clear();
        SlotGradBias.AsSpan(0, SlotCount).Clear();
        for (var n = 0; n < negatives.Length; n++)
        {
            SlotItem[positives.Length + n] = negatives[n];
        }

        var loss = 0.0;
        for (var p = 0; p < positives.Length; p++)
        {
            var item = history[positives[p]];
            var wi = weights[positives[p]];
            SlotItem[p] = item;
            PositiveItem[p] = item;
            var rest = totalWeight - wi;
            var correction = PositiveCorrection.AsSpan(p * f, f);
            if (!(rest > 0))
            {
                correction.Clear();
                continue;
            }

            // x = (S - w_i v_i) / (W - w_i)
            var x = _x.AsSpan();
            TensorPrimitives.MultiplyAdd(input.Slice(item * f, f), -wi, sum, x);
            TensorPrimitives.Divide(x, rest, x);

            var logits = _logits.AsSpan(0, negatives.Length + 1);
            logits[0] = Logit(item, x, output, bias, logQ);
            var max = logits[0];
            for (var n = 0; n < negatives.Length; n++)
            {
                logits[n + 1] = negatives[n] == item ? float.NegativeInfinity : Logit(negatives[n], x, output, bias, logQ);
                max = Math.Max(max, logits[n + 1]);
            }

            var z = 0.0;
            for (var k = 0; k < logits.Length; k++)
            {
                z += Math.Exp(logits[k] - max);
            }

            loss += -(logits[0] - max - Math.Log(z));
            var dx = _dx.AsSpan();
            dx.Clear();
            for (var k = 0; k < logits.Length; k++)
            {
                var g = (float)(Math.Exp(logits[k] - max) / z) - (k == 0 ? 1f : 0f);
                if (g == 0f)
                {
                    continue;
                }

                var slot = k == 0 ? p : positives.Length + k - 1;
                var slotItem = k == 0 ? item : negatives[k - 1];
                TensorPrimitives.MultiplyAdd(x, g, SlotGradOutput.AsSpan(slot * f, f), SlotGradOutput.AsSpan(slot * f, f));
                SlotGradBias[slot] += g;
                TensorPrimitives.MultiplyAdd(output.Slice(slotItem * f, f), g, dx, dx);
            }

            // d v_j = w_j dx / (W - w_i) for every j except the positive itself.
            TensorPrimitives.Divide(dx, rest, dx);
            TensorPrimitives.Add(s, dx, s);
            dx.CopyTo(correction);
        }

        return loss;
    }

    private float Logit(int item, ReadOnlySpan<float> x, ReadOnlySpan<float> output, ReadOnlySpan<float> bias, ReadOnlySpan<float> logQ) =>
        TensorPrimitives.Dot(output.Slice(item * _f, _f), x) + (bias.IsEmpty ? 0f : bias[item]) - (logQ.IsEmpty ? 0f : logQ[item]);
}
