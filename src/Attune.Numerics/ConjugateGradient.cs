using System.Numerics.Tensors;

namespace Attune.Numerics;

/// <summary>A symmetric positive definite linear map y = A x that need not be stored as a matrix.</summary>
public interface ISpdOperator
{
    int Dimension { get; }

    void Apply(ReadOnlySpan<float> x, Span<float> y);
}

/// <summary>A dense row-major SPD matrix as an operator.</summary>
public readonly struct DenseSpdOperator(float[] matrix, int n) : ISpdOperator
{
    public int Dimension => n;

    public void Apply(ReadOnlySpan<float> x, Span<float> y) => VectorOps.MatVec(matrix, n, x, y);
}

/// <summary>
/// Conjugate gradient for small SPD systems A x = b, warm-started from the x passed in.
/// </summary>
/// <remarks>
/// Hestenes and Stiefel 1952. Each step costs one operator application and O(n) vector work; in exact
/// arithmetic n steps solve the system, and a few steps from a good start are enough when the answer
/// moves little between calls (Takacs, Pilaszy, Tikk 2011, used by implicit ALS). A NaN residual or a
/// non-positive curvature p^T A p throws, since either means A is not SPD or the input is broken.
/// </remarks>
public static class ConjugateGradient
{
    /// <summary>Solves A x = b for a dense row-major SPD <paramref name="a"/>; returns the steps taken.</summary>
    public static int Solve(float[] a, int n, ReadOnlySpan<float> b, Span<float> x, int maxSteps = 0, float tolerance = 1e-6f)
    {
        if (a.Length < n * n || b.Length != n || x.Length != n)
        {
            throw new ArgumentException($"Expected an {n} x {n} matrix and vectors of {n}.");
        }

        var op = new DenseSpdOperator(a, n);
        var r = new float[n];
        op.Apply(x, r);
        TensorPrimitives.Subtract(b, r, r);
        return Refine(op, x, r, new float[n], new float[n], maxSteps <= 0 ? n : maxSteps, tolerance * tolerance * Math.Max(1e-30f, TensorPrimitives.Dot(b, b)));
    }

    /// <summary>
    /// Runs up to <paramref name="steps"/> CG steps from <paramref name="x"/>, given its residual
    /// <paramref name="r"/> = b - A x (overwritten). <paramref name="p"/> and <paramref name="ap"/> are scratch.
    /// Stops early when r.r falls below <paramref name="residualSquaredTolerance"/>. Returns the steps taken.
    /// </summary>
    public static int Refine<TOperator>(in TOperator op, Span<float> x, Span<float> r, Span<float> p, Span<float> ap, int steps, float residualSquaredTolerance = 1e-20f)
        where TOperator : ISpdOperator
    {
        var rsOld = TensorPrimitives.Dot<float>(r, r);
        if (float.IsNaN(rsOld))
        {
            throw new MatrixNotPositiveDefiniteException("Conjugate gradient residual is NaN: the system or the start holds NaN.");
        }

        if (rsOld <= residualSquaredTolerance)
        {
            return 0;
        }

        r.CopyTo(p);
        for (var step = 0; step < steps; step++)
        {
            op.Apply(p, ap);
            var curvature = TensorPrimitives.Dot<float>(p, ap);
            if (!(curvature > 0))
            {
                throw new MatrixNotPositiveDefiniteException($"Conjugate gradient met non-positive curvature {curvature}: the operator is not positive definite.");
            }

            var alpha = rsOld / curvature;
            TensorPrimitives.MultiplyAdd<float>(p, alpha, x, x);
            TensorPrimitives.MultiplyAdd<float>(ap, -alpha, r, r);
            var rsNew = TensorPrimitives.Dot<float>(r, r);
            if (rsNew <= residualSquaredTolerance)
            {
                return step + 1;
            }

            // p = r + (rsNew / rsOld) p
            TensorPrimitives.MultiplyAdd<float>(p, rsNew / rsOld, r, p);
            rsOld = rsNew;
        }

        return steps;
    }
}
