using System.Numerics.Tensors;

namespace Attune.Algorithms.Bandits;

/// <summary>
/// Online ridge regression of one arm's reward on its context with an intercept: A = lambda I + sum z z^T,
/// b = sum r z, theta = A^-1 b, where z = [1, x]. Keeps A^-1 up to date by Sherman-Morrison.
/// Not thread-safe; the owning policy locks.
/// </summary>
/// <remarks>
/// Sherman and Morrison (1950): (A + z z^T)^-1 = A^-1 - (A^-1 z)(A^-1 z)^T / (1 + z^T A^-1 z), so an update
/// is O(d^2) instead of the O(d^3) of a fresh inverse. Predictions and widths are O(d^2); the row products run on
/// SIMD (TensorPrimitives) and use the arm's own scratch vector, so a choice allocates nothing.
/// </remarks>
public sealed class RidgeArm
{
    private readonly double[] _inverse;
    private readonly double[] _b;
    private readonly double[] _theta;
    private readonly double[] _scratch;
    private bool _thetaStale;

    public RidgeArm(int contextDimension, double lambda)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contextDimension);
        if (!(lambda > 0 && double.IsFinite(lambda)))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), $"Ridge penalty lambda={lambda} must be positive and finite.");
        }

        Size = contextDimension + 1;
        _inverse = new double[Size * Size];
        for (var i = 0; i < Size; i++)
        {
            _inverse[(i * Size) + i] = 1.0 / lambda;
        }

        _b = new double[Size];
        _theta = new double[Size];
        _scratch = new double[Size];
    }

    /// <summary>Context length plus the intercept.</summary>
    public int Size { get; }

    public long Count { get; private set; }

    public void Update(ReadOnlySpan<double> x, double reward)
    {
        var u = _scratch.AsSpan();
        InverseTimes(x, u);
        var denom = 1 + Dot(x, u);
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            var row = _inverse.AsSpan(i * n, n);
            TensorPrimitives.MultiplyAdd(u, -u[i] / denom, row, row);
        }

        _b[0] += reward;
        for (var i = 1; i < n; i++)
        {
            _b[i] += reward * x[i - 1];
        }

        Count++;
        _thetaStale = true;
    }

    /// <summary>theta . z, the ridge prediction.</summary>
    public double Predict(ReadOnlySpan<double> x)
    {
        if (_thetaStale)
        {
            Multiply(_b, _theta);
            _thetaStale = false;
        }

        return Dot(x, _theta);
    }

    /// <summary>z^T A^-1 z, the squared width of the confidence ellipsoid along z.</summary>
    public double Variance(ReadOnlySpan<double> x)
    {
        var u = _scratch.AsSpan();
        InverseTimes(x, u);
        return Math.Max(0, Dot(x, u));
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Count);
        foreach (var v in _inverse)
        {
            writer.Write(v);
        }

        foreach (var v in _b)
        {
            writer.Write(v);
        }
    }

    /// <summary>Reads a state written by <see cref="Write"/> into a fresh arm (validated before it is used).</summary>
    public static RidgeArm Read(BinaryReader reader, int contextDimension, double lambda)
    {
        var arm = new RidgeArm(contextDimension, lambda);
        arm.Count = reader.ReadInt64();
        for (var i = 0; i < arm._inverse.Length; i++)
        {
            arm._inverse[i] = reader.ReadDouble();
        }

        for (var i = 0; i < arm._b.Length; i++)
        {
            arm._b[i] = reader.ReadDouble();
        }

        foreach (var v in arm._inverse)
        {
            if (!double.IsFinite(v))
            {
                throw new InvalidDataException("Saved ridge state holds a non-finite value.");
            }
        }

        arm._thetaStale = true;
        return arm;
    }

    private void InverseTimes(ReadOnlySpan<double> x, Span<double> result)
    {
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            var row = _inverse.AsSpan(i * n, n);
            result[i] = row[0] + TensorPrimitives.Dot(row[1..], x[..(n - 1)]);
        }
    }

    private void Multiply(ReadOnlySpan<double> v, Span<double> result)
    {
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            result[i] = TensorPrimitives.Dot(_inverse.AsSpan(i * n, n), v[..n]);
        }
    }

    // z . [1, x]: the intercept's weight plus the context's.
    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> z) => z[0] + TensorPrimitives.Dot(z[1..], x[..(z.Length - 1)]);
}
