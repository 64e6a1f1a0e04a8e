namespace Attune.Experiments.Statistics;

/// <summary>CDFs and quantiles of the normal, Student t and chi-square distributions, in double precision.</summary>
/// <remarks>
/// Normal CDF via erfc (Taylor series of erf near 0, the incomplete gamma continued fraction in the tails);
/// normal quantile by Wichura, AS 241 (1988), accurate to about 1e-16. Student t and chi-square through the regularized incomplete beta and gamma
/// functions (Numerical Recipes 6.2 and 6.4: series and Lentz continued fractions) and the Lanczos log-gamma.
/// </remarks>
public static class Distributions
{
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>P(|Z| &gt;= |z|) for a standard normal Z.</summary>
    public static double NormalTwoSided(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>The p-quantile of the standard normal (AS 241, PPND16).</summary>
    public static double NormalQuantile(double p)
    {
        if (!(p > 0 && p < 1))
        {
            return p == 0 ? double.NegativeInfinity : p == 1 ? double.PositiveInfinity : double.NaN;
        }

        var q = p - 0.5;
        if (Math.Abs(q) <= 0.425)
        {
            var r = 0.180625 - (q * q);
            return q * Horner(r, A) / Horner(r, B);
        }

        var rr = Math.Sqrt(-Math.Log(q < 0 ? p : 1 - p));
        var val = rr <= 5
            ? Horner(rr - 1.6, C) / Horner(rr - 1.6, D)
            : Horner(rr - 5, E) / Horner(rr - 5, F);
        return q < 0 ? -val : val;
    }

    private static readonly double[] A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
    private static readonly double[] B = [1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852545925];
    private static readonly double[] C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
    private static readonly double[] D = [1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
    private static readonly double[] E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
    private static readonly double[] F = [1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

    private static double Horner(double x, double[] coefficients)
    {
        var s = 0.0;
        for (var i = coefficients.Length - 1; i >= 0; i--)
        {
            s = (s * x) + coefficients[i];
        }

        return s;
    }

    /// <summary>P(T &lt;= t) for Student's t with <paramref name="df"/> degrees of freedom (df may be fractional).</summary>
    public static double StudentTCdf(double t, double df)
    {
        if (double.IsPositiveInfinity(df))
        {
            return NormalCdf(t);
        }

        var x = df / (df + (t * t));
        var tail = 0.5 * RegularizedBeta(0.5 * df, 0.5, x);
        return t > 0 ? 1 - tail : tail;
    }

    /// <summary>P(|T| &gt;= |t|).</summary>
    public static double StudentTTwoSided(double t, double df) =>
        double.IsPositiveInfinity(df) ? NormalTwoSided(t) : RegularizedBeta(0.5 * df, 0.5, df / (df + (t * t)));

    /// <summary>The p-quantile of Student's t, by bisection refined with Newton steps on the CDF.</summary>
    public static double StudentTQuantile(double p, double df)
    {
        if (!(p > 0 && p < 1))
        {
            return double.NaN;
        }

        if (p < 0.5)
        {
            return -StudentTQuantile(1 - p, df);
        }

        double lo = 0, hi = Math.Max(1, NormalQuantile(p) * 4);
        while (StudentTCdf(hi, df) < p)
        {
            hi *= 2;
        }

        for (var i = 0; i < 200 && hi - lo > 1e-13 * Math.Max(1, hi); i++)
        {
            var mid = 0.5 * (lo + hi);
            if (StudentTCdf(mid, df) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>P(X &gt;= x) for a chi-square with <paramref name="df"/> degrees of freedom.</summary>
    public static double ChiSquareSurvival(double x, double df) => x <= 0 ? 1 : RegularizedGammaQ(0.5 * df, 0.5 * x);

    /// <summary>ln Gamma(x) for x &gt; 0 (Lanczos, g = 7, n = 9; relative error ~1e-15).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var a = c[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++)
        {
            a += c[i] / (x + i);
        }

        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }

    /// <summary>The regularized incomplete beta I_x(a, b).</summary>
    public static double RegularizedBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - (front * BetaContinuedFraction(b, a, 1 - x) / b);
    }

    /// <summary>The regularized lower incomplete gamma P(a, x).</summary>
    public static double RegularizedGammaP(double a, double x) => x < a + 1 ? GammaSeries(a, x) : 1 - GammaFraction(a, x);

    /// <summary>The regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), accurate in the far tail.</summary>
    public static double RegularizedGammaQ(double a, double x) => x < a + 1 ? 1 - GammaSeries(a, x) : GammaFraction(a, x);

    private static double GammaSeries(double a, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        var sum = 1.0 / a;
        var term = sum;
        for (var n = 1; n < 10_000; n++)
        {
            term *= x / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * 1e-16)
            {
                break;
            }
        }

        return sum * Math.Exp((a * Math.Log(x)) - x - LogGamma(a));
    }

    private static double GammaFraction(double a, double x)
    {
        var logFront = (a * Math.Log(x)) - x - LogGamma(a);
        const double tiny = 1e-300;
        var bb = x + 1 - a;
        var c = 1 / tiny;
        var d = 1 / bb;
        var h = d;
        for (var i = 1; i < 10_000; i++)
        {
            var an = -i * (i - a);
            bb += 2;
            d = (an * d) + bb;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = bb + (an / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return Math.Exp(logFront) * h;
    }

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 - (qab * x / qap);
        d = Math.Abs(d) < tiny ? tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m < 10_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>erfc(x): the Taylor series of erf for |x| &lt; 2, else Q(1/2, x^2), accurate in the tails.</summary>
    public static double Erfc(double x)
    {
        if (Math.Abs(x) < 2)
        {
            var sum = x;
            var term = x;
            var x2 = x * x;
            for (var n = 1; n < 200; n++)
            {
                term *= -x2 / n;
                var add = term / ((2 * n) + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17)
                {
                    break;
                }
            }

            return 1 - (2 / Math.Sqrt(Math.PI) * sum);
        }

        var upper = RegularizedGammaQ(0.5, x * x);
        return x > 0 ? upper : 2 - upper;
    }
}
