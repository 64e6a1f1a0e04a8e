using Attune.Algorithms.Data;

namespace Attune.Algorithms.Neighbors;

/// <summary>How raw interaction weights are re-weighted before neighbours are computed.</summary>
public enum KnnWeighting
{
    /// <summary>Weights as they are.</summary>
    None = 0,

    /// <summary>sqrt(x) * idf, as in the <c>implicit</c> library's <c>tfidf_weight</c>.</summary>
    TfIdf = 1,

    /// <summary>Okapi BM25 saturation and length normalization, as in <c>implicit</c>'s <c>bm25_weight</c>.</summary>
    Bm25 = 2,
}

/// <summary>TF-IDF and BM25 weighting of a sparse matrix whose rows are the "documents" and columns the "terms".</summary>
/// <remarks>
/// For item-item neighbours the documents are items and the terms users, so heavy users count less
/// (idf) and items with many interactions are length-normalized (BM25): Robertson and Zaragoza, "The
/// Probabilistic Relevance Framework: BM25 and Beyond", 2009. idf(t) = log(N) - log(1 + df(t)) with N rows.
/// O(nnz).
/// </remarks>
public static class KnnWeights
{
    private const double MinimumIdf = 1e-3;

    public static CsrMatrix Apply(CsrMatrix documents, KnnWeighting weighting, float k1, float b)
    {
        if (weighting == KnnWeighting.None)
        {
            return documents;
        }

        var df = new int[documents.Columns];
        foreach (var c in documents.ColumnIndex)
        {
            df[c]++;
        }

        var idf = new float[documents.Columns];
        var logN = Math.Log(Math.Max(1, documents.Rows));
        for (var t = 0; t < idf.Length; t++)
        {
            // A term in (nearly) every document would get idf <= 0; a small floor keeps every weight positive,
            // which the neighbour search relies on to tell touched entries from untouched ones.
            idf[t] = (float)Math.Max(MinimumIdf, logN - Math.Log(1 + df[t]));
        }

        var values = new float[documents.NonZeros];
        var lengthNorm = new float[documents.Rows];
        if (weighting == KnnWeighting.Bm25)
        {
            double total = 0;
            for (var r = 0; r < documents.Rows; r++)
            {
                var sum = 0d;
                foreach (var v in documents.RowValues(r))
                {
                    sum += v;
                }

                lengthNorm[r] = (float)sum;
                total += sum;
            }

            var average = total / Math.Max(1, documents.Rows);
            for (var r = 0; r < documents.Rows; r++)
            {
                lengthNorm[r] = (float)((1 - b) + (b * lengthNorm[r] / average));
            }
        }

        for (var r = 0; r < documents.Rows; r++)
        {
            for (var p = documents.RowStart[r]; p < documents.RowStart[r + 1]; p++)
            {
                var x = documents.Values[p];
                var idfT = idf[documents.ColumnIndex[p]];
                values[p] = weighting == KnnWeighting.TfIdf
                    ? MathF.Sqrt(x) * idfT
                    : x * (k1 + 1) / ((k1 * lengthNorm[r]) + x) * idfT;
            }
        }

        return new CsrMatrix(documents.Rows, documents.Columns, documents.RowStart, documents.ColumnIndex, values);
    }
}
