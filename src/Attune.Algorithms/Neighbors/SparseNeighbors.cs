using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Numerics;

namespace Attune.Algorithms.Neighbors;

/// <summary>
/// All-pairs top-K cosine neighbours of the rows of a sparse matrix, computed from co-occurrences only.
/// </summary>
/// <remarks>
/// For row a, the dot products with every other row are accumulated by walking a's columns and, for each,
/// the rows that share it (A * A^T restricted to a's non-zeros) into a dense per-thread accumulator;
/// then sim(a, b) = dot / (|a| |b| + shrink) (Sarwar et al., "Item-based collaborative filtering
/// recommendation algorithms", WWW 2001; shrinkage as in Koren, "Factor in the neighbors", TKDD 2010) and
/// the K best are kept. Rows are independent, so they are spread over threads and the result does not
/// depend on the thread count. Time O(sum over columns of nnz(column)^2) plus O(touched log K) for the
/// selection; memory O(rows * K) for the result and O(rows) scratch per thread.
/// Every value must be positive: the accumulator tells touched entries by a non-zero sum.
/// </remarks>
public static class SparseNeighbors
{
    /// <param name="rows">The matrix whose rows are compared (items x users for item-item).</param>
    /// <param name="columns">Its transpose (users x items for item-item).</param>
    /// <param name="normalize">Cosine when true; the raw dot product (shrunk by 1 + shrink) when false.</param>
    /// <param name="targetScale">When given, sim(a, b) is multiplied by targetScale[b] before the K best are chosen.</param>
    public static CsrMatrix TopK(
        CsrMatrix rows,
        CsrMatrix columns,
        int k,
        float shrink,
        bool normalize,
        int threads,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken,
        float[]? targetScale = null)
    {
        var n = rows.Rows;
        var norms = new float[n];
        for (var r = 0; r < n; r++)
        {
            var s = 0f;
            foreach (var v in rows.RowValues(r))
            {
                s += v * v;
            }

            norms[r] = MathF.Sqrt(s);
        }

        var neighborIndex = new int[n][];
        var neighborValue = new float[n][];
        var done = 0;
        var step = Math.Max(1, n / 20);
        var options = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount,
        };

        // Rows are handed out in small chunks so that a few heavy rows do not leave a thread idle.
        var chunk = Math.Max(1, Math.Min(64, n / (options.MaxDegreeOfParallelism * 16)));
        var chunks = (n + chunk - 1) / chunk;
        Parallel.For(
            0,
            chunks,
            options,
            () => new Scratch(n, k),
            (c, state, scratch) =>
            {
                var end = Math.Min(n, (c + 1) * chunk);
                for (var r = c * chunk; r < end; r++)
                {
                    Row(rows, columns, norms, targetScale, r, k, shrink, normalize, scratch, out neighborIndex[r], out neighborValue[r]);
                }

                var now = Interlocked.Add(ref done, end - (c * chunk));
                if (progress is not null && now / step != (now - (end - (c * chunk))) / step)
                {
                    progress.Report(new TrainingProgress("neighbours", now, n));
                }

                return scratch;
            },
            _ => { });

        var start = new int[n + 1];
        for (var r = 0; r < n; r++)
        {
            start[r + 1] = start[r] + neighborIndex[r].Length;
        }

        var index = new int[start[n]];
        var value = new float[start[n]];
        for (var r = 0; r < n; r++)
        {
            neighborIndex[r].CopyTo(index, start[r]);
            neighborValue[r].CopyTo(value, start[r]);
        }

        return new CsrMatrix(n, n, start, index, value);
    }

    private static void Row(CsrMatrix rows, CsrMatrix columns, float[] norms, float[]? targetScale, int r, int k, float shrink, bool normalize, Scratch s, out int[] index, out float[] value)
    {
        var count = Accumulate(rows, columns, r, s.Accumulator, s.Touched);
        var acc = s.Accumulator;
        var touched = s.Touched;
        var candidates = 0;
        var normR = norms[r];
        for (var t = 0; t < count; t++)
        {
            var other = touched[t];
            var dot = acc[other];
            acc[other] = 0;
            if (other == r)
            {
                continue;
            }

            s.CandidateIndex[candidates] = other;
            var sim = normalize ? dot / ((normR * norms[other]) + shrink) : dot / (1 + shrink);
            s.CandidateValue[candidates] = targetScale is null ? sim : sim * targetScale[other];
            candidates++;
        }

        var kept = Math.Min(k, candidates);
        index = new int[kept];
        value = new float[kept];
        if (kept == candidates)
        {
            s.CandidateIndex.AsSpan(0, kept).CopyTo(index);
            s.CandidateValue.AsSpan(0, kept).CopyTo(value);
        }
        else
        {
            var top = Attune.Numerics.TopK.Select(s.CandidateValue.AsSpan(0, candidates), kept, s.TopIndex, s.TopValue);
            for (var t = 0; t < top; t++)
            {
                index[t] = s.CandidateIndex[s.TopIndex[t]];
                value[t] = s.TopValue[t];
            }
        }

        // CSR rows are kept sorted by column.
        Array.Sort(index, value);
    }

    /// <summary>The hot loop: dot products of row r with every row sharing a column; returns how many were touched.</summary>
    private static int Accumulate(CsrMatrix rows, CsrMatrix columns, int r, float[] accumulator, int[] touchedList)
    {
        // Bounds checks are elided by hand: indices come from a validated CSR whose columns are < rows.Rows.
        ref var acc = ref MemoryMarshal.GetArrayDataReference(accumulator);
        ref var touched = ref MemoryMarshal.GetArrayDataReference(touchedList);
        ref var colIndex = ref MemoryMarshal.GetArrayDataReference(columns.ColumnIndex);
        ref var colValue = ref MemoryMarshal.GetArrayDataReference(columns.Values);
        var colStart = columns.RowStart;
        var count = 0;
        var end = rows.RowStart[r + 1];
        for (var p = rows.RowStart[r]; p < end; p++)
        {
            var c = rows.ColumnIndex[p];
            var x = rows.Values[p];
            var qEnd = colStart[c + 1];
            for (var q = colStart[c]; q < qEnd; q++)
            {
                var other = Unsafe.Add(ref colIndex, q);
                ref var a = ref Unsafe.Add(ref acc, other);
                if (a == 0)
                {
                    Unsafe.Add(ref touched, count++) = other;
                }

                a += x * Unsafe.Add(ref colValue, q);
            }
        }

        return count;
    }

    private sealed class Scratch(int n, int k)
    {
        public float[] Accumulator { get; } = new float[n];

        public int[] Touched { get; } = new int[n];

        public int[] CandidateIndex { get; } = new int[n];

        public float[] CandidateValue { get; } = new float[n];

        public int[] TopIndex { get; } = new int[Math.Min(n, k)];

        public float[] TopValue { get; } = new float[Math.Min(n, k)];
    }
}
