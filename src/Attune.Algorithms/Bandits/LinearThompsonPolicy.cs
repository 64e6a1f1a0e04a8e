using System.Globalization;

namespace Attune.Algorithms.Bandits;

/// <summary>
/// Linear Thompson sampling with disjoint arms: theta_a ~ N(theta_hat_a, v^2 A_a^-1) and the arm with the
/// highest sampled theta_a . z is shown (z = [1, context]).
/// </summary>
/// <remarks>
/// Agrawal and Goyal, "Thompson Sampling for Contextual Bandits with Linear Payoffs" (ICML 2013), with the
/// exploration scale v as a hyper-parameter. Because the arms are disjoint and only the score theta_a . z
/// matters, the policy draws that score directly from its exact marginal N(theta_hat_a . z, v^2 z^T A_a^-1 z):
/// the same choice distribution as a full draw of theta at O(arms x d^2) instead of O(arms x d^3).
/// The propensity is estimated by Monte Carlo as for <see cref="BetaThompsonPolicy"/>: (wins + 1) / (samples + 1)
/// over <see cref="Samples"/> further draws (default 1,000; O(samples x arms) normal variates).
/// </remarks>
public sealed class LinearThompsonPolicy : LinearPolicyBase
{
    public LinearThompsonPolicy(int arms, int contextDimension, double v = 0.5, double lambda = 1, int samples = 1000)
        : base(arms, contextDimension, lambda)
    {
        if (!(v >= 0 && double.IsFinite(v)))
        {
            throw new ArgumentOutOfRangeException(nameof(v), $"Policy linear-thompson: v={v} must be finite and >= 0.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        V = v;
        Samples = samples;
    }

    public double V { get; }

    public int Samples { get; }

    public override string Name => "linear-thompson";

    public override string Spec => string.Create(CultureInfo.InvariantCulture, $"linear-thompson:v={V:R},lambda={Lambda:R},samples={Samples}");

    public override int Choose(ReadOnlySpan<double> context, Random rng, out double probability)
    {
        Sampling.CheckContext(context, ContextDimension, Name);
        var buffer = Arms <= 64 ? stackalloc double[3 * Arms] : new double[3 * Arms];
        var mean = buffer[..Arms];
        var sd = buffer.Slice(Arms, Arms);
        var draw = buffer.Slice(2 * Arms, Arms);
        Prepare(context, mean, sd);
        var arm = Draw(mean, sd, draw, rng);
        var wins = 1;
        for (var s = 0; s < Samples; s++)
        {
            wins += Draw(mean, sd, draw, rng) == arm ? 1 : 0;
        }

        probability = wins / (Samples + 1.0);
        return arm;
    }

    public override void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities)
    {
        Sampling.CheckContext(context, ContextDimension, Name);
        Sampling.CheckOutput(probabilities, Arms, Name);
        var mean = new double[Arms];
        var sd = new double[Arms];
        var draw = new double[Arms];
        Prepare(context, mean, sd);
        var rng = new Random(17);
        probabilities.Clear();
        for (var s = 0; s < Samples; s++)
        {
            probabilities[Draw(mean, sd, draw, rng)] += 1.0 / Samples;
        }
    }

    private void Prepare(ReadOnlySpan<double> context, Span<double> mean, Span<double> sd)
    {
        Moments(context, mean, sd);
        for (var i = 0; i < sd.Length; i++)
        {
            sd[i] = V * Math.Sqrt(sd[i]);
        }
    }

    private static int Draw(ReadOnlySpan<double> mean, ReadOnlySpan<double> sd, Span<double> draw, Random rng)
    {
        for (var i = 0; i < mean.Length; i++)
        {
            draw[i] = mean[i] + (sd[i] * Sampling.Normal(rng));
        }

        return Sampling.ArgMax(draw, rng, out _);
    }
}
