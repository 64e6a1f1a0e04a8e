namespace Attune.Numerics;

/// <summary>Selects the k largest scores without sorting everything.</summary>
/// <remarks>
/// A bounded min-heap over (score, index): O(n log k) time, O(k) space, no allocation when the caller
/// provides the output spans. Ties are broken by the smaller index, so results are deterministic.
/// </remarks>
public static class TopK
{
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
