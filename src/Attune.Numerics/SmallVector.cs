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
