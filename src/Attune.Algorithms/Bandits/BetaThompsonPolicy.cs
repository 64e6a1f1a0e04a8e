using System.Globalization;

namespace Attune.Algorithms.Bandits;

/// <summary>
/// Beta-Bernoulli Thompson sampling: each arm's success rate has a Beta(alpha + successes, beta + failures)
/// posterior; the policy draws one rate per arm and shows the arm with the highest draw.
/// </summary>
/// <remarks>
/// Thompson (1933); Chapelle and Li, "An Empirical Evaluation of Thompson Sampling" (NIPS 2011); regret
/// O(sqrt(K T log T)) (Agrawal and Goyal 2012). Rewards in [0, 1] update the posterior fractionally
/// (alpha += r, beta += 1 - r). Choice: O(arms); update: O(1).
/// The propensity of the chosen arm is estimated by Monte Carlo: <see cref="Samples"/> further joint draws
/// from the posterior (default 1,000), counting the draw that chose as one more, so the estimate is
/// (wins + 1) / (samples + 1), never 0; its standard error is at most 0.5 / sqrt(samples).
/// That makes a choice O(samples x arms) gamma variates (about 0.1 ms for 3 arms and 1,000 samples).
/// </remarks>
public sealed class BetaThompsonPolicy : IBanditPolicy
{
    private readonly double[] _alpha;
    private readonly double[] _beta;
    private readonly Lock _gate = new();

    public BetaThompsonPolicy(int arms, double priorAlpha = 1, double priorBeta = 1, int samples = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 1);
        if (!(priorAlpha > 0 && double.IsFinite(priorAlpha)) || !(priorBeta > 0 && double.IsFinite(priorBeta)))
        {
            throw new ArgumentOutOfRangeException(nameof(priorAlpha), $"Policy thompson: the prior alpha={priorAlpha}, beta={priorBeta} must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        PriorAlpha = priorAlpha;
        PriorBeta = priorBeta;
        Samples = samples;
        _alpha = new double[arms];
        _beta = new double[arms];
        Array.Fill(_alpha, priorAlpha);
        Array.Fill(_beta, priorBeta);
    }

    public double PriorAlpha { get; }

    public double PriorBeta { get; }

    /// <summary>Monte-Carlo draws behind each propensity estimate.</summary>
    public int Samples { get; }

    public string Name => "thompson";

    public string Spec => string.Create(CultureInfo.InvariantCulture, $"thompson:alpha={PriorAlpha:R},beta={PriorBeta:R},samples={Samples}");

    public int Arms => _alpha.Length;

    public int ContextDimension => 0;

    public int Choose(ReadOnlySpan<double> context, Random rng, out double probability)
    {
        Sampling.CheckContext(context, 0, Name);
        Span<double> a = stackalloc double[Arms <= 128 ? Arms : 0];
        Span<double> b = stackalloc double[Arms <= 128 ? Arms : 0];
        if (Arms > 128)
        {
            a = new double[Arms];
            b = new double[Arms];
        }

        Snapshot(a, b);
        Span<double> draw = Arms <= 128 ? stackalloc double[Arms] : new double[Arms];
        var arm = Draw(a, b, draw, rng);
        var wins = 1;
        for (var s = 0; s < Samples; s++)
        {
            wins += Draw(a, b, draw, rng) == arm ? 1 : 0;
        }

        probability = wins / (Samples + 1.0);
        return arm;
    }

    public void Update(int arm, ReadOnlySpan<double> context, double reward)
    {
        Sampling.CheckArm(arm, Arms, Name);
        if (!(reward >= 0 && reward <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(reward), $"Policy thompson takes rewards in [0, 1]; got {reward}.");
        }

        lock (_gate)
        {
            _alpha[arm] += reward;
            _beta[arm] += 1 - reward;
        }
    }

    public void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities)
    {
        Sampling.CheckOutput(probabilities, Arms, Name);
        var a = new double[Arms];
        var b = new double[Arms];
        var draw = new double[Arms];
        Snapshot(a, b);
        var rng = new Random(17);
        probabilities.Clear();
        for (var s = 0; s < Samples; s++)
        {
            probabilities[Draw(a, b, draw, rng)] += 1.0 / Samples;
        }
    }

    /// <summary>Posterior mean of an arm's success rate.</summary>
    public double PosteriorMean(int arm)
    {
        lock (_gate)
        {
            return _alpha[arm] / (_alpha[arm] + _beta[arm]);
        }
    }

    public void Write(BinaryWriter writer)
    {
        lock (_gate)
        {
            Sampling.WriteHeader(writer, Name, Arms, 0);
            for (var i = 0; i < Arms; i++)
            {
                writer.Write(_alpha[i]);
                writer.Write(_beta[i]);
            }
        }
    }

    public void Read(BinaryReader reader)
    {
        Sampling.CheckState(reader, Name, Arms, 0);
        var a = new double[Arms];
        var b = new double[Arms];
        for (var i = 0; i < Arms; i++)
        {
            a[i] = reader.ReadDouble();
            b[i] = reader.ReadDouble();
            if (!(a[i] > 0 && b[i] > 0 && double.IsFinite(a[i]) && double.IsFinite(b[i])))
            {
                throw new InvalidDataException($"Saved thompson state has an invalid posterior Beta({a[i]}, {b[i]}) for arm {i}.");
            }
        }

        lock (_gate)
        {
            a.CopyTo(_alpha, 0);
            b.CopyTo(_beta, 0);
        }
    }

    private static int Draw(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> draw, Random rng)
    {
        for (var i = 0; i < a.Length; i++)
        {
            draw[i] = Sampling.Beta(rng, a[i], b[i]);
        }

        return Sampling.ArgMax(draw, rng, out _);
    }

    private void Snapshot(Span<double> a, Span<double> b)
    {
        lock (_gate)
        {
            _alpha.CopyTo(a);
            _beta.CopyTo(b);
        }
    }
}
