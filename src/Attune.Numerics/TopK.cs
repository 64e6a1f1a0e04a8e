namespace Attune.Numerics;

/// <summary>Selects the k largest scores without sorting everything.</summary>
/// <remarks>
/// Small k: a bounded min-heap over (score, index), O(n log k) time, O(k) space. Larger k (a serving model's top
/// few hundred of a few thousand items), where the heap's sift-downs dominate: a threshold taken from a strided sample
/// of 128 scores keeps only the scores that can make the top k (about 1.5 k of them), packed as 64-bit keys (score
/// order in the high half, index in the low), then a quickselect (Hoare 1961, "Algorithm 65: Find") and a sort of
/// the k keys: O(n + k log k) expected time. Both give the same result: ties are broken by the smaller index, so
/// results are deterministic, and -0 ranks with +0.
/// </remarks>
public static class TopK
{
    private const int PartitionMinK = 32;
    private const int SampleSize = 128;

    /// <summary>
    /// Writes the indices and scores of the top <c>min(k, count)</c> finite scores into
    /// <paramref name="indices"/> and <paramref name="values"/>, best first. Scores equal to
    /// <see cref="float.NegativeInfinity"/> or NaN are never selected (use -Infinity to exclude an item).
    /// Returns how many were written.
    /// </summary>
    public static int Select(ReadOnlySpan<float> scores, int k, Span<int> indices, Span<float> values)
    {
        k = Math.Min(k, Math.Min(indices.Length, values.Length));
        if (k <= 0)
        {
            return 0;
        }

        return k >= PartitionMinK && scores.Length >= 2 * k
            ? PartitionSelect(scores, k, indices, values)
            : HeapSelect(scores, k, indices, values);
    }

    /// <summary>The bounded-heap selection: for small k, where few scores ever enter the heap.</summary>
    private static int HeapSelect(ReadOnlySpan<float> scores, int k, Span<int> indices, Span<float> values)
    {
        var size = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (!(s > float.NegativeInfinity))
            {
                continue;
            }

            if (size < k)
            {
                values[size] = s;
                indices[size] = i;
                SiftUp(indices, values, size);
                size++;
            }
            else if (s > values[0])
            {
                // Equal scores keep the earlier (smaller) index already in the heap.
                values[0] = s;
                indices[0] = i;
                SiftDown(indices, values, 0, size);
            }
        }

        // Heap-sort the heap in place into descending order.
        for (var end = size - 1; end > 0; end--)
        {
            (values[0], values[end]) = (values[end], values[0]);
            (indices[0], indices[end]) = (indices[end], indices[0]);
            SiftDown(indices, values, 0, end);
        }

        return size;
    }

    private static int PartitionSelect(ReadOnlySpan<float> scores, int k, Span<int> indices, Span<float> values)
    {
        var n = scores.Length;
        var keys = System.Buffers.ArrayPool<ulong>.Shared.Rent(n);
        try
        {
            // Keep scores at or above a threshold that about 1.5 k + 16 of them pass when the sample is typical; when
            // fewer than k pass (an unlucky sample, or fewer selectable scores), every selectable score is kept.
            var threshold = SampleThreshold(scores, k);
            var count = Gather(scores, threshold, keys);
            if (count < k && threshold > float.NegativeInfinity)
            {
                count = Gather(scores, float.NegativeInfinity, keys);
            }

            var kept = keys.AsSpan(0, count);
            var take = Math.Min(k, count);
            if (count > take)
            {
                SelectSmallest(kept, take);
            }

            kept[..take].Sort();
            for (var r = 0; r < take; r++)
            {
                var i = (int)(uint)kept[r];
                indices[r] = i;
                values[r] = scores[i];
            }

            return take;
        }
        finally
        {
            System.Buffers.ArrayPool<ulong>.Shared.Return(keys);
        }
    }

    private static float SampleThreshold(ReadOnlySpan<float> scores, int k)
    {
        Span<float> sample = stackalloc float[SampleSize];
        var step = scores.Length / SampleSize;
        if (step < 2)
        {
            return float.NegativeInfinity;
        }

        var m = 0;
        for (var j = 0; j < SampleSize; j++)
        {
            var s = scores[j * step];
            if (s > float.NegativeInfinity)
            {
                sample[m++] = s;
            }
        }

        // Rank (1-based, from the top) of the sample element used as threshold.
        var rank = (int)Math.Ceiling(SampleSize * 1.5 * k / scores.Length) + 16;
        if (rank > m)
        {
            return float.NegativeInfinity;
        }

        var sorted = sample[..m];
        sorted.Sort();
        return sorted[m - rank];
    }

    /// <summary>Packs each selectable score at or above <paramref name="threshold"/> as a key; smaller key = better.</summary>
    private static int Gather(ReadOnlySpan<float> scores, float threshold, ulong[] keys)
    {
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (s >= threshold && s > float.NegativeInfinity)
            {
                keys[count++] = Key(s, i);
            }
        }

        return count;
    }

    /// <summary>Descending score order in the high 32 bits (-0 counted as +0), the index in the low 32 bits.</summary>
    private static ulong Key(float s, int i)
    {
        var bits = BitConverter.SingleToUInt32Bits(s + 0f);
        var ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ((ulong)~ascending << 32) | (uint)i;
    }

    /// <summary>Reorders distinct <paramref name="keys"/> so that the <paramref name="k"/> smallest come first (in any order).</summary>
    private static void SelectSmallest(Span<ulong> keys, int k)
    {
        var lo = 0;
        var hi = keys.Length - 1;
        var target = k - 1;
        for (var rounds = 0; hi - lo >= 32; rounds++)
        {
            if (rounds > 64)
            {
                // Pathological pivots: finish by sorting what is left.
                break;
            }

            var mid = lo + ((hi - lo) >> 1);
            var pivot = Median(keys[lo], keys[mid], keys[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (keys[i] < pivot)
                {
                    i++;
                }

                while (keys[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    i++;
                    j--;
                }
            }

            if (target <= j)
            {
                hi = j;
            }
            else if (target >= i)
            {
                lo = i;
            }
            else
            {
                return;
            }
        }

        keys[lo..(hi + 1)].Sort();
    }

    private static ulong Median(ulong a, ulong b, ulong c) =>
        a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);

    // Heap order: the root is the worst kept element (lowest score; among equal scores the larger index).
    private static bool Worse(float sa, int ia, float sb, int ib) => sa < sb || (sa == sb && ia > ib);

    private static void SiftUp(Span<int> idx, Span<float> val, int i)
    {
        while (i > 0)
        {
            var p = (i - 1) >> 1;
            if (!Worse(val[i], idx[i], val[p], idx[p]))
            {
                break;
            }

            (val[i], val[p]) = (val[p], val[i]);
            (idx[i], idx[p]) = (idx[p], idx[i]);
            i = p;
        }
    }

    private static void SiftDown(Span<int> idx, Span<float> val, int i, int size)
    {
        while (true)
        {
            var l = (2 * i) + 1;
            if (l >= size)
            {
                return;
            }

            var m = l;
            var r = l + 1;
            if (r < size && Worse(val[r], idx[r], val[l], idx[l]))
            {
                m = r;
            }

            if (!Worse(val[m], idx[m], val[i], idx[i]))
            {
                return;
            }

            (val[i], val[m]) = (val[m], val[i]);
            (idx[i], idx[m]) = (idx[m], idx[i]);
            i = m;
        }
    }
}
