using System.Numerics.Tensors;
using Attune.Numerics;
using BenchmarkDotNet.Attributes;

namespace Attune.Benchmarks.Micro;

/// <summary>
/// The hand-written short-vector kernels against TensorPrimitives and the scalar loops they replace.
/// Run: dotnet run -c Release --project bench/Attune.Benchmarks -- micro --filter '*SmallVector*'
/// </summary>
[MemoryDiagnoser]
public unsafe class SmallVectorBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];

    [Params(16, 64, 200)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _x = Enumerable.Range(0, Length).Select(_ => (float)rng.NextDouble()).ToArray();
        _y = Enumerable.Range(0, Length).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    [Benchmark(Baseline = true)]
    public float DotScalar() => SmallVector.DotReference(_x, _y);

    [Benchmark]
    public float DotTensorPrimitives() => TensorPrimitives.Dot(_x, _y);

    [Benchmark]
    public float DotSmallVector()
    {
        fixed (float* x = _x)
        fixed (float* y = _y)
        {
            return SmallVector.Dot(x, y, Length);
        }
    }

    [Benchmark]
    public void AxpyScalar() => SmallVector.AxpyReference(1e-6f, _x, _y);

    [Benchmark]
    public void AxpyTensorPrimitives() => TensorPrimitives.MultiplyAdd(_x, 1e-6f, _y, _y);

    [Benchmark]
    public void AxpySmallVector()
    {
        fixed (float* x = _x)
        fixed (float* y = _y)
        {
            SmallVector.Axpy(1e-6f, x, y, Length);
        }
    }
}

/// <summary>
/// The blocked GEMM against the scalar triple loop, at the shape of scoring 128 users against 3,260 items
/// with 64 factors. Run: dotnet run -c Release --project bench/Attune.Benchmarks -- micro --filter '*Gemm*'
/// </summary>
public class GemmBenchmarks
{
    private const int M = 128;
    private const int N = 3260;
    private const int K = 64;
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = Enumerable.Range(0, M * K).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, K * N).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[M * N];
    }

    [Benchmark(Baseline = true)]
    public void Reference() => Gemm.Reference(_a, K, _b, N, _c, N, M, N, K);

    [Benchmark]
    public void BlockedOneThread() => Gemm.Multiply(_a, K, _b, N, _c, N, M, N, K, threads: 1);

    [Benchmark]
    public void BlockedTwoThreads() => Gemm.Multiply(_a, K, _b, N, _c, N, M, N, K, threads: 2);
}
