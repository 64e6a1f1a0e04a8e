using System.Globalization;

namespace Attune.Algorithms.Prediction;

/// <summary>Hyper-parameters of <see cref="LogisticRegression"/>.</summary>
/// <param name="L2">Ridge strength λ on the coefficients (not the intercept) in the summed objective, as in
/// scikit-learn with C = 1/λ. Must be &gt; 0: it keeps the optimum finite on separable data.</param>
/// <param name="Tolerance">Stop when the largest gradient entry, divided by the total row weight, falls below this.</param>
/// <param name="MaxIterations">Newton steps at most.</param>
public sealed record LogisticRegressionOptions(double L2 = 1.0, double Tolerance = 1e-7, int MaxIterations = 50)
{
    public void Validate()
    {
        if (!(L2 > 0) || !double.IsFinite(L2))
        {
            throw new ArgumentOutOfRangeException(nameof(L2), L2, "L2 must be a finite number > 0.");
        }

        if (!(Tolerance > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be > 0.");
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be >= 1.");
        }
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"LogisticRegression(L2={L2}, Tolerance={Tolerance}, MaxIterations={MaxIterations})");
}

/// <summary>
/// L2-regularized binary logistic regression on standardized features, fitted by Newton's method (IRLS)
/// with a backtracking line search.
/// </summary>
/// <remarks>
/// Minimizes f(w, b) = Σᵢ vᵢ [log(1 + e^{zᵢ}) − yᵢ zᵢ] + (λ/2)‖w‖², zᵢ = w·xᵢ + b, vᵢ the row weight
/// (Hastie, Tibshirani, Friedman, <i>The Elements of Statistical Learning</i>, §4.4.1). f is strictly convex
/// for λ &gt; 0, so the optimum is unique and finite even when the classes are separable, and Newton converges
/// quadratically near it; the line search (Armijo, halving) makes every step decrease f. Features are
/// standardized with statistics from the training rows, so λ treats every feature alike and |w| is an
/// importance. Cost per iteration: O(n·d²) for the Hessian plus O(d³) for its Cholesky factorization, which
/// suits the small feature counts (tens) this is meant for. Deterministic: no randomness at all.
/// </remarks>
public static class LogisticRegression
{
    public static LogisticRegressionModel Train(FeatureTable table, ReadOnlySpan<float> labels, LogisticRegressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new LogisticRegressionOptions();
        options.Validate();
        table.ValidateLabels(labels, nameof(labels));

        var standardizer = Standardizer.Fit(table);
        var x = standardizer.Transform(table);
        var d = x.ColumnCount;
        var p = d + 1;
        var theta = new double[p]; // coefficients, then the intercept
        var totalWeight = 0.0;
        var positiveWeight = 0.0;
        for (var r = 0; r < x.RowCount; r++)
        {
            totalWeight += x.Weight(r);
            positiveWeight += x.Weight(r) * labels[r];
        }

        // Starting at the log-odds of the base rate saves the first few Newton steps.
        var baseRate = Math.Clamp(positiveWeight / totalWeight, 1e-6, 1 - 1e-6);
        theta[d] = Math.Log(baseRate / (1 - baseRate));

        var grad = new double[p];
        var hess = new double[p * p];
        var step = new double[p];
        var candidate = new double[p];
        var history = new List<double>();
        var loss = Objective(x, labels, theta, options.L2);
        history.Add(loss);
        var converged = false;
        var iterations = 0;
        for (; iterations < options.MaxIterations; iterations++)
        {
            GradientAndHessian(x, labels, theta, options.L2, grad, hess);
            if (MaxAbs(grad) / totalWeight < options.Tolerance)
            {
                converged = true;
                break;
            }

            for (var i = 0; i < p; i++)
            {
                step[i] = -grad[i];
            }

            CholeskySolveInPlace(hess, step, p);
            var slope = 0.0;
            for (var i = 0; i < p; i++)
            {
                slope += grad[i] * step[i];
            }

            var t = 1.0;
            double next;
            while (true)
            {
                for (var i = 0; i < p; i++)
                {
                    candidate[i] = theta[i] + (t * step[i]);
                }

                next = Objective(x, labels, candidate, options.L2);
                if (next <= loss + (1e-4 * t * slope) || t < 1e-10)
                {
                    break;
                }

                t *= 0.5;
            }

            if (next > loss)
            {
                // The step can only fail to decrease f at the limit of double precision: we are at the optimum.
                converged = true;
                break;
            }

            candidate.CopyTo(theta, 0);
            var previous = loss;
            loss = next;
            history.Add(loss);
            if (previous - loss <= 1e-14 * Math.Max(1, Math.Abs(loss)))
            {
                converged = true;
                iterations++;
                break;
            }
        }

        var coefficients = new float[d];
        for (var i = 0; i < d; i++)
        {
            coefficients[i] = (float)theta[i];
        }

        return new LogisticRegressionModel(standardizer, coefficients, theta[d], history.ToArray(), iterations, converged, options);
    }

    /// <summary>The penalized objective f(w, b) on an already standardized table; θ = (w, b).</summary>
    public static double Objective(FeatureTable x, ReadOnlySpan<float> labels, ReadOnlySpan<double> theta, double l2)
    {
        ArgumentNullException.ThrowIfNull(x);
        var d = x.ColumnCount;
        var sum = 0.0;
        for (var r = 0; r < x.RowCount; r++)
        {
            var z = Linear(x.Row(r), theta);
            // log(1 + e^z) - y z, written to stay finite for large |z|.
            var softplus = z > 0 ? z + double.LogP1(Math.Exp(-z)) : double.LogP1(Math.Exp(z));
            sum += x.Weight(r) * (softplus - (labels[r] * z));
        }

        var penalty = 0.0;
        for (var i = 0; i < d; i++)
        {
            penalty += theta[i] * theta[i];
        }

        return sum + (0.5 * l2 * penalty);
    }

    /// <summary>∇f(θ) on an already standardized table, written into <paramref name="gradient"/> (length d + 1).</summary>
    public static void Gradient(FeatureTable x, ReadOnlySpan<float> labels, ReadOnlySpan<double> theta, double l2, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(x);
        var d = x.ColumnCount;
        gradient.Clear();
        for (var r = 0; r < x.RowCount; r++)
        {
            var row = x.Row(r);
            var residual = x.Weight(r) * (Sigmoid(Linear(row, theta)) - labels[r]);
            for (var c = 0; c < d; c++)
            {
                gradient[c] += residual * row[c];
            }

            gradient[d] += residual;
        }

        for (var c = 0; c < d; c++)
        {
            gradient[c] += l2 * theta[c];
        }
    }

    internal static double Sigmoid(double z)
    {
        // e^{-|z|} never overflows, so both branches stay finite for any z.
        var e = Math.Exp(-Math.Abs(z));
        return z >= 0 ? 1 / (1 + e) : e / (1 + e);
    }

    private static double Linear(ReadOnlySpan<float> row, ReadOnlySpan<double> theta)
    {
        var z = theta[row.Length];
        for (var c = 0; c < row.Length; c++)
        {
            z += theta[c] * row[c];
        }

        return z;
    }

    private static void GradientAndHessian(FeatureTable x, ReadOnlySpan<float> labels, double[] theta, double l2, double[] grad, double[] hess)
    {
        var d = x.ColumnCount;
        var p = d + 1;
        Array.Clear(grad);
        Array.Clear(hess);
        Span<double> xi = stackalloc double[p];
        for (var r = 0; r < x.RowCount; r++)
        {
            var row = x.Row(r);
            for (var c = 0; c < d; c++)
            {
                xi[c] = row[c];
            }

            xi[d] = 1;
            var mu = Sigmoid(Linear(row, theta));
            var w = x.Weight(r);
            var residual = w * (mu - labels[r]);
            var curvature = w * mu * (1 - mu);
            for (var a = 0; a < p; a++)
            {
                grad[a] += residual * xi[a];
                var ca = curvature * xi[a];
                var rowOffset = a * p;
                // Lower triangle only; mirrored below.
                for (var b = 0; b <= a; b++)
                {
                    hess[rowOffset + b] += ca * xi[b];
                }
            }
        }

        for (var a = 0; a < p; a++)
        {
            for (var b = 0; b < a; b++)
            {
                hess[(b * p) + a] = hess[(a * p) + b];
            }
        }

        for (var c = 0; c < d; c++)
        {
            grad[c] += l2 * theta[c];
            hess[(c * p) + c] += l2;
        }

        // The intercept is unpenalized; a tiny ridge keeps the factorization defined if every μ(1-μ) underflows.
        hess[(d * p) + d] += 1e-10;
    }

    private static double MaxAbs(double[] v)
    {
        var m = 0.0;
        foreach (var e in v)
        {
            m = Math.Max(m, Math.Abs(e));
        }

        return m;
    }

    /// <summary>Solves A x = b for symmetric positive-definite A (row-major p×p, overwritten) in place of b.</summary>
    private static void CholeskySolveInPlace(double[] a, double[] b, int p)
    {
        for (var j = 0; j < p; j++)
        {
            var diag = a[(j * p) + j];
            for (var k = 0; k < j; k++)
            {
                diag -= a[(j * p) + k] * a[(j * p) + k];
            }

            if (!(diag > 0))
            {
                throw new InvalidOperationException("Newton step failed: the Hessian is not positive definite (numerical breakdown).");
            }

            var l = Math.Sqrt(diag);
            a[(j * p) + j] = l;
            for (var i = j + 1; i < p; i++)
            {
                var s = a[(i * p) + j];
                for (var k = 0; k < j; k++)
                {
                    s -= a[(i * p) + k] * a[(j * p) + k];
                }

                a[(i * p) + j] = s / l;
            }
        }

        for (var i = 0; i < p; i++)
        {
            var s = b[i];
            for (var k = 0; k < i; k++)
            {
                s -= a[(i * p) + k] * b[k];
            }

            b[i] = s / a[(i * p) + i];
        }

        for (var i = p - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var k = i + 1; k < p; k++)
            {
                s -= a[(k * p) + i] * b[k];
            }

            b[i] = s / a[(i * p) + i];
        }
    }
}

/// <summary>A fitted logistic regression: coefficients on standardized features plus the standardizer.</summary>
public sealed class LogisticRegressionModel : IBinaryClassifier
{
    private readonly float[] _coefficients;
    private readonly double[] _lossHistory;

    internal LogisticRegressionModel(
        Standardizer standardizer, float[] coefficients, double intercept, double[] lossHistory, int iterations, bool converged,
        LogisticRegressionOptions options)
    {
        Standardizer = standardizer;
        _coefficients = coefficients;
        Intercept = intercept;
        _lossHistory = lossHistory;
        Iterations = iterations;
        Converged = converged;
        Options = options;
    }

    public Standardizer Standardizer { get; }

    public IReadOnlyList<string> FeatureNames => Standardizer.FeatureNames;

    /// <summary>One coefficient per feature, on the standardized scale (per standard deviation of the feature).</summary>
    public IReadOnlyList<float> Coefficients => _coefficients;

    public double Intercept { get; }

    /// <summary>The objective after each accepted Newton step, starting from the initial point.</summary>
    public IReadOnlyList<double> LossHistory => _lossHistory;

    public int Iterations { get; }

    public bool Converged { get; }

    public LogisticRegressionOptions Options { get; }

    public double PredictProbability(ReadOnlySpan<float> row)
    {
        if (row.Length != _coefficients.Length)
        {
            throw new ArgumentException($"Row has {row.Length} features; the model expects {_coefficients.Length}.", nameof(row));
        }

        var z = Intercept;
        for (var c = 0; c < row.Length; c++)
        {
            z += _coefficients[c] * ((row[c] - Standardizer.Means[c]) / Standardizer.Scales[c]);
        }

        return LogisticRegression.Sigmoid(z);
    }

    /// <summary>|coefficient| on standardized features, normalized to sum 1.</summary>
    public IReadOnlyList<FeatureImportance> FeatureImportances()
    {
        var raw = new double[_coefficients.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = Math.Abs(_coefficients[i]);
        }

        return BinaryClassifierExtensions.Normalize(FeatureNames, raw);
    }
}
