using System.Numerics.Tensors;

namespace Attune.Numerics;

/// <summary>
/// Dense vector kernels on spans. Everything here delegates to <see cref="TensorPrimitives"/>, which picks
/// the widest SIMD the machine has; the names follow BLAS so the call sites read like the math.
/// </summary>
public static class VectorOps
{
    /// <summary>x . y.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => TensorPrimitives.Dot(x, y);

    /// <summary>x . y.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => TensorPrimitives.Dot(x, y);

    /// <summary>y += a * x.</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.MultiplyAdd(x, a, y, y);

    /// <summary>y += a * x.</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y) => TensorPrimitives.MultiplyAdd(x, a, y, y);

    /// <summary>x *= a.</summary>
    public static void Scale(float a, Span<float> x) => TensorPrimitives.Multiply(x, a, x);

    /// <summary>Euclidean norm.</summary>
    public static float Norm(ReadOnlySpan<float> x) => TensorPrimitives.Norm(x);

    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var n = TensorPrimitives.Norm(x) * TensorPrimitives.Norm(y);
        return n > 0 ? TensorPrimitives.Dot(x, y) / n : 0f;
    }

    /// <summary>y = A x for a row-major <paramref name="rows"/> x <c>x.Length</c> matrix.</summary>
    public static void MatVec(ReadOnlySpan<float> a, int rows, ReadOnlySpan<float> x, Span<float> y)
    {
        var cols = x.Length;
        for (var r = 0; r < rows; r++)
        {
            y[r] = TensorPrimitives.Dot(a.Slice(r * cols, cols), x);
        }
    }

    /// <summary>Throws when any value is NaN or infinite, naming what was checked.</summary>
    public static void EnsureFinite(ReadOnlySpan<float> x, string what)
    {
        var i = IndexOfNonFinite(x);
        if (i >= 0)
        {
            ThrowNonFinite(what, i, x[i]);
        }
    }

    /// <summary>The index of the first NaN or infinity, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> x)
    {
        // Sum of x * 0 is NaN exactly when some element is NaN or infinite; scan only then.
        if (float.IsFinite(TensorPrimitives.Sum(x) * 0f + TensorPrimitives.Dot(x, x) * 0f))
        {
            return -1;
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void ThrowNonFinite(string what, int index, float value) =>
        throw new ArithmeticException($"{what} has a non-finite value {value} at index {index}.");
}
