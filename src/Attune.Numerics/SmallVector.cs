using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attune.Numerics;

/// <summary>
/// Dot and axpy on short vectors (latent factors, typically 16-256 floats) behind raw pointers, for inner
/// loops that run hundreds of millions of times (ALS conjugate gradient, BPR and softmax SGD) where the
/// argument checks and dispatch of <see cref="System.Numerics.Tensors.TensorPrimitives"/> cost more than
/// the arithmetic. Each has a scalar reference (<see cref="DotReference"/>, <see cref="AxpyReference"/>)
/// that the tests hold it to, and a BenchmarkDotNet comparison in bench/.
/// </summary>
public static unsafe class SmallVector
{
    /// <summary>x . y over <paramref name="n"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* x, float* y, int n)
    {
        var i = 0;
        var s = 0f;
        if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8), Vector256.Load(y + i + 8), a1);
            }

            if (i + 8 <= n)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), a0);
                i += 8;
            }

            s = Vector256.Sum(a0 + a1);
        }

        for (; i < n; i++)
        {
            s += x[i] * y[i];
        }

        return s;
    }

    /// <summary>y += a * x over <paramref name="n"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, float* x, float* y, int n)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i + 8 <= n; i += 8)
            {
                Vector256.FusedMultiplyAdd(va, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
            }
        }

        for (; i < n; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>y = a * x + b * y over <paramref name="n"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpby(float a, float* x, float b, float* y, int n)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            for (; i + 8 <= n; i += 8)
            {
                Vector256.FusedMultiplyAdd(va, Vector256.Load(x + i), vb * Vector256.Load(y + i)).Store(y + i);
            }
        }

        for (; i < n; i++)
        {
            y[i] = (a * x[i]) + (b * y[i]);
        }
    }

    /// <summary>
    /// y += (a + b (x . v)) x over <paramref name="n"/> floats, returning x . v: the rank-one update of a
    /// conjugate-gradient row solve. For n = 64 and 32 x stays in registers between the dot and the update,
    /// so it is read from memory once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotAxpy(float* x, float* v, float a, float b, float* y, int n)
    {
        if (Vector256.IsHardwareAccelerated && n == 64)
        {
            var x0 = Vector256.Load(x);
            var x1 = Vector256.Load(x + 8);
            var x2 = Vector256.Load(x + 16);
            var x3 = Vector256.Load(x + 24);
            var x4 = Vector256.Load(x + 32);
            var x5 = Vector256.Load(x + 40);
            var x6 = Vector256.Load(x + 48);
            var x7 = Vector256.Load(x + 56);
            var s0 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(v), x1 * Vector256.Load(v + 8));
            var s1 = Vector256.FusedMultiplyAdd(x2, Vector256.Load(v + 16), x3 * Vector256.Load(v + 24));
            s0 = Vector256.FusedMultiplyAdd(x4, Vector256.Load(v + 32), s0);
            s1 = Vector256.FusedMultiplyAdd(x5, Vector256.Load(v + 40), s1);
            s0 = Vector256.FusedMultiplyAdd(x6, Vector256.Load(v + 48), s0);
            s1 = Vector256.FusedMultiplyAdd(x7, Vector256.Load(v + 56), s1);
            var d = Vector256.Sum(s0 + s1);
            var c = Vector256.Create(a + (b * d));
            Vector256.FusedMultiplyAdd(c, x0, Vector256.Load(y)).Store(y);
            Vector256.FusedMultiplyAdd(c, x1, Vector256.Load(y + 8)).Store(y + 8);
            Vector256.FusedMultiplyAdd(c, x2, Vector256.Load(y + 16)).Store(y + 16);
            Vector256.FusedMultiplyAdd(c, x3, Vector256.Load(y + 24)).Store(y + 24);
            Vector256.FusedMultiplyAdd(c, x4, Vector256.Load(y + 32)).Store(y + 32);
            Vector256.FusedMultiplyAdd(c, x5, Vector256.Load(y + 40)).Store(y + 40);
            Vector256.FusedMultiplyAdd(c, x6, Vector256.Load(y + 48)).Store(y + 48);
            Vector256.FusedMultiplyAdd(c, x7, Vector256.Load(y + 56)).Store(y + 56);
            return d;
        }

        if (Vector256.IsHardwareAccelerated && n == 32)
        {
            var x0 = Vector256.Load(x);
            var x1 = Vector256.Load(x + 8);
            var x2 = Vector256.Load(x + 16);
            var x3 = Vector256.Load(x + 24);
            var s0 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(v), x1 * Vector256.Load(v + 8));
            var s1 = Vector256.FusedMultiplyAdd(x2, Vector256.Load(v + 16), x3 * Vector256.Load(v + 24));
            var d = Vector256.Sum(s0 + s1);
            var c = Vector256.Create(a + (b * d));
            Vector256.FusedMultiplyAdd(c, x0, Vector256.Load(y)).Store(y);
            Vector256.FusedMultiplyAdd(c, x1, Vector256.Load(y + 8)).Store(y + 8);
            Vector256.FusedMultiplyAdd(c, x2, Vector256.Load(y + 16)).Store(y + 16);
            Vector256.FusedMultiplyAdd(c, x3, Vector256.Load(y + 24)).Store(y + 24);
            return d;
        }

        var dot = Dot(x, v, n);
        Axpy(a + (b * dot), x, y, n);
        return dot;
    }

    /// <summary>The scalar definition of <see cref="Dot"/>.</summary>
    public static float DotReference(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var s = 0f;
        for (var i = 0; i < x.Length; i++)
        {
            s += x[i] * y[i];
        }

        return s;
    }

    /// <summary>The scalar definition of <see cref="Axpy"/>.</summary>
    public static void AxpyReference(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }
}
