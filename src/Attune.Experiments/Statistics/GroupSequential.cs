using System.Collections.Concurrent;
using System.Globalization;

namespace Attune.Experiments.Statistics;

/// <summary>How a group-sequential design spends its type-I error over the information fraction t in (0, 1].</summary>
public enum SpendingFunction
{
    /// <summary>
    /// Lan-DeMets O'Brien-Fleming type, applied to each side with alpha/2: alpha(t) = 2 (2 - 2 Phi(z_{1-alpha/4} / sqrt(t)))
    /// (the two-sided convention of Jennison and Turnbull and of gsDesign and ldbounds). Spends almost nothing early; the last
    /// boundary is close to the fixed-horizon one.
    /// </summary>
    OBrienFleming,

    /// <summary>Lan-DeMets Pocock type: alpha(t) = alpha ln(1 + (e - 1) t). Spends evenly; stops early more often, at the price of a higher final boundary.</summary>
    Pocock,
}

/// <summary>One look of a group-sequential test.</summary>
/// <param name="Look">The planned look reached (1-based); 0 before the first planned look (no decision possible yet).</param>
/// <param name="Looks">Looks planned.</param>
/// <param name="InformationFraction">Share of the planned sample observed, capped at 1.</param>
/// <param name="Statistic">The test statistic (z, or t for Welch) at this look.</param>
/// <param name="Boundary">|Statistic| at or above this rejects H0 at this look (infinity before the first look).</param>
/// <param name="NominalAlpha">The two-sided p-value threshold equivalent to the boundary, 2 (1 - Phi(boundary)).</param>
/// <param name="AlphaSpent">Type-I error spent up to and including this look, alpha(t_k).</param>
/// <param name="Rejected">Whether the statistic crosses this look's boundary.</param>
public sealed record GroupSequentialLook(
    int Look,
    int Looks,
    double InformationFraction,
    double Statistic,
    double Boundary,
    double NominalAlpha,
    double AlphaSpent,
    bool Rejected);

/// <summary>
/// A two-sided group-sequential test with an alpha-spending function: the boundary of each planned look is set so
/// that the probability under H0 of first crossing at that look equals the error the spending function releases
/// between the previous look and this one. Over all looks the type-I error is alpha, spent rather than wasted:
/// unlike an always-valid test, checking at every planned look rejects an A/A test at rate alpha, not below it.
/// </summary>
/// <remarks>
/// Lan and DeMets, "Discrete sequential boundaries for clinical trials" (Biometrika 1983); the crossing
/// probabilities by recursive numerical integration of Armitage, McPherson and Rowe (JRSS A 1969), as in Jennison
/// and Turnbull, "Group Sequential Methods with Applications to Clinical Trials" (2000), chapter 19. With the score
/// S_k = Z_k sqrt(t_k), S has independent normal increments of variance t_k - t_{k-1} under H0; the sub-density of
/// S_k on the continuation region |S| &lt; b_k sqrt(t_k) is carried on a grid of <see cref="GridPoints"/> points
/// (Simpson's rule) and each boundary found by bisection. Cost O(K m^2) for K looks and m grid points (about 10 ms
/// for 20 looks), once per design: boundaries are cached. The looks are planned at equally spaced information
/// fractions k / K; reading results between two planned looks uses the boundary of the last look reached, so the
/// error guarantee holds when the results are acted on once per planned look.
/// </remarks>
public sealed class GroupSequentialDesign
{
    /// <summary>Grid points of the numerical integration (odd, for Simpson's rule).</summary>
    public const int GridPoints = 401;

    public const int MaxLooks = 200;

    private static readonly ConcurrentDictionary<(int, double, SpendingFunction), GroupSequentialDesign> Cache = new();

    private readonly double[] _boundaries;
    private readonly double[] _spent;

    private GroupSequentialDesign(int looks, double alpha, SpendingFunction spending, double[] boundaries, double[] spent)
    {
        Looks = looks;
        Alpha = alpha;
        Spending = spending;
        _boundaries = boundaries;
        _spent = spent;
    }

    public int Looks { get; }

    public double Alpha { get; }

    public SpendingFunction Spending { get; }

    /// <summary>The |z| boundary of each planned look, first to last.</summary>
    public IReadOnlyList<double> Boundaries => _boundaries;

    /// <summary>The cumulative type-I error spent at each planned look.</summary>
    public IReadOnlyList<double> AlphaSpent => _spent;

    /// <summary>The design for <paramref name="looks"/> equally spaced looks (cached).</summary>
    public static GroupSequentialDesign For(int looks, double alpha = 0.05, SpendingFunction spending = SpendingFunction.OBrienFleming)
    {
        HypothesisTests.CheckAlpha(alpha);
        if (looks is < 1 or > MaxLooks)
        {
            throw new ArgumentOutOfRangeException(nameof(looks), $"A group-sequential design needs 1 to {MaxLooks} looks; got {looks}.");
        }

        if (!Enum.IsDefined(spending))
        {
            throw new ArgumentOutOfRangeException(nameof(spending), $"Unknown spending function {spending}.");
        }

        return Cache.GetOrAdd((looks, alpha, spending), static key =>
        {
            var (k, a, s) = key;
            var fractions = new double[k];
            for (var i = 0; i < k; i++)
            {
                fractions[i] = (i + 1.0) / k;
            }

            var boundaries = ComputeBoundaries(fractions, a, s);
            var spent = new double[k];
            for (var i = 0; i < k; i++)
            {
                spent[i] = Spent(s, a, fractions[i]);
            }

            return new GroupSequentialDesign(k, a, s, boundaries, spent);
        });
    }

    /// <summary>The error a spending function has released by information fraction <paramref name="t"/> (0 at 0, alpha at 1).</summary>
    public static double Spent(SpendingFunction spending, double alpha, double t)
    {
        if (t <= 0)
        {
            return 0;
        }

        if (t >= 1)
        {
            return alpha;
        }

        return spending switch
        {
            SpendingFunction.OBrienFleming => 4 * Distributions.NormalCdf(Distributions.NormalQuantile(alpha / 4) / Math.Sqrt(t)),
            SpendingFunction.Pocock => alpha * Math.Log(1 + ((Math.E - 1) * t)),
            _ => throw new ArgumentOutOfRangeException(nameof(spending)),
        };
    }

    /// <summary>
    /// Two-sided boundaries (on the z scale) for looks at the increasing information fractions
    /// <paramref name="fractions"/> in (0, 1]; the last look spends what remains of alpha when it is at t = 1.
    /// </summary>
    public static double[] ComputeBoundaries(ReadOnlySpan<double> fractions, double alpha, SpendingFunction spending)
    {
        HypothesisTests.CheckAlpha(alpha);
        var k = fractions.Length;
        var boundaries = new double[k];
        if (k == 0)
        {
            return boundaries;
        }

        for (var i = 0; i < k; i++)
        {
            if (!(fractions[i] > 0 && fractions[i] <= 1) || (i > 0 && fractions[i] <= fractions[i - 1]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Information fractions must increase within (0, 1]; look {i + 1} is at {fractions[i]}."), nameof(fractions));
            }
        }

        var m = GridPoints;
        var grid = new double[m];
        var density = new double[m];
        var next = new double[m];
        var nextGrid = new double[m];
        var weights = SimpsonWeights(m);

        var spentBefore = Spent(spending, alpha, fractions[0]);
        boundaries[0] = spentBefore > 0 ? -Distributions.NormalQuantile(spentBefore / 2) : double.PositiveInfinity;
        var sd = Math.Sqrt(fractions[0]);
        var step = Fill(grid, Half(boundaries[0], fractions[0]));
        for (var j = 0; j < m; j++)
        {
            density[j] = Phi(grid[j] / sd) / sd * weights[j] * step;
        }

        for (var look = 1; look < k; look++)
        {
            var t = fractions[look];
            var sigma = Math.Sqrt(t - fractions[look - 1]);
            var spent = Spent(spending, alpha, t);
            var target = spent - spentBefore;
            spentBefore = spent;
            var root = Math.Sqrt(t);
            double b;
            if (target <= 0)
            {
                b = double.PositiveInfinity;
            }
            else
            {
                double lo = 0, hi = 40;
                for (var iteration = 0; iteration < 100 && hi - lo > 1e-10; iteration++)
                {
                    var mid = 0.5 * (lo + hi);
                    if (Crossing(grid, density, mid * root, sigma) > target)
                    {
                        lo = mid;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                b = 0.5 * (lo + hi);
            }

            boundaries[look] = b;
            if (look == k - 1)
            {
                break;
            }

            var nextStep = Fill(nextGrid, Half(b, t));
            for (var i = 0; i < m; i++)
            {
                var y = nextGrid[i];
                var sum = 0.0;
                for (var j = 0; j < m; j++)
                {
                    sum += density[j] * Phi((y - grid[j]) / sigma);
                }

                next[i] = sum / sigma * weights[i] * nextStep;
            }

            (grid, nextGrid) = (nextGrid, grid);
            (density, next) = (next, density);
        }

        return boundaries;
    }

    /// <summary>The test at the current information fraction: the boundary of the last planned look reached.</summary>
    public GroupSequentialLook Evaluate(double statistic, double informationFraction)
    {
        var t = double.IsFinite(informationFraction) ? Math.Clamp(informationFraction, 0, 1) : 0;
        var look = Math.Min(Looks, (int)Math.Floor((t * Looks) + 1e-9));
        if (look == 0)
        {
            return new GroupSequentialLook(0, Looks, t, statistic, double.PositiveInfinity, 0, 0, false);
        }

        var b = _boundaries[look - 1];
        return new GroupSequentialLook(look, Looks, t, statistic, b, Distributions.NormalTwoSided(b), _spent[look - 1], Math.Abs(statistic) >= b);
    }

    /// <summary>Whether |<paramref name="statistic"/>| crosses the boundary of planned look <paramref name="look"/> (1-based).</summary>
    public bool Crosses(int look, double statistic) => Math.Abs(statistic) >= _boundaries[look - 1];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"looks={Looks},alpha={Alpha},spending={Spending}");

    // The continuation region |S| < b sqrt(t), cut at 10 standard deviations of S where the density is negligible.
    private static double Half(double boundary, double t) => Math.Min(boundary, 10) * Math.Sqrt(t);

    private static double Fill(double[] grid, double half)
    {
        var step = 2 * half / (grid.Length - 1);
        for (var i = 0; i < grid.Length; i++)
        {
            grid[i] = -half + (i * step);
        }

        return step;
    }

    // P(not stopped before, |S_next| >= c) with S_next = S + N(0, sigma^2); density already carries the quadrature weights.
    private static double Crossing(double[] grid, double[] density, double c, double sigma)
    {
        var p = 0.0;
        for (var j = 0; j < grid.Length; j++)
        {
            p += density[j] * (Distributions.NormalCdf((-c - grid[j]) / sigma) + Distributions.NormalCdf((grid[j] - c) / sigma));
        }

        return p;
    }

    private static double[] SimpsonWeights(int m)
    {
        var w = new double[m];
        for (var i = 0; i < m; i++)
        {
            w[i] = i == 0 || i == m - 1 ? 1.0 / 3 : i % 2 == 1 ? 4.0 / 3 : 2.0 / 3;
        }

        return w;
    }

    private static double Phi(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
}
