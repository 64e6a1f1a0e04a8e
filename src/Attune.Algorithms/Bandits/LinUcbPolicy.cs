using System.Globalization;

namespace Attune.Algorithms.Bandits;

/// <summary>
/// LinUCB with disjoint linear models: shows the arm maximizing theta_a . z + alpha sqrt(z^T A_a^-1 z),
/// where z = [1, context] and A_a, theta_a are the arm's ridge statistics.
/// </summary>
/// <remarks>
/// Li, Chu, Langford, Schapire, "A Contextual-Bandit Approach to Personalized News Article Recommendation"
/// (WWW 2010), algorithm 1. O(arms x d^2) per choice and O(d^2) per update (Sherman-Morrison).
/// Deterministic: the propensity is 1 / (number of tied maxima) for the chosen arm and 0 for the others,
/// which is exact, and which is why logs of LinUCB support no off-policy evaluation of other policies.
/// </remarks>
public sealed class LinUcbPolicy(int arms, int contextDimension, double alpha = 1, double lambda = 1)
    : LinearPolicyBase(arms, contextDimension, lambda)
{
    public double Alpha { get; } = alpha >= 0 && double.IsFinite(alpha)
        ? alpha
        : throw new ArgumentOutOfRangeException(nameof(alpha), $"Policy linucb: alpha={alpha} must be finite and >= 0.");

    public override string Name => "linucb";

    public override string Spec => string.Create(CultureInfo.InvariantCulture, $"linucb:alpha={Alpha:R},lambda={Lambda:R}");

    public override int Choose(ReadOnlySpan<double> context, Random rng, out double probability)
    {
        Sampling.CheckContext(context, ContextDimension, Name);
        Span<double> score = stackalloc double[Arms <= 128 ? Arms : 0];
        Span<double> width = stackalloc double[Arms <= 128 ? Arms : 0];
        if (Arms > 128)
        {
            score = new double[Arms];
            width = new double[Arms];
        }

        Scores(context, score, width);
        var arm = Sampling.ArgMax(score, rng, out var ties);
        probability = 1.0 / ties;
        return arm;
    }

    public override void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities)
    {
        Sampling.CheckContext(context, ContextDimension, Name);
        Sampling.CheckOutput(probabilities, Arms, Name);
        var width = new double[Arms];
        Scores(context, probabilities, width);
        var best = double.NegativeInfinity;
        foreach (var s in probabilities)
        {
            best = Math.Max(best, s);
        }

        var ties = 0;
        foreach (var s in probabilities)
        {
            ties += s == best ? 1 : 0;
        }

        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = probabilities[i] == best ? 1.0 / ties : 0;
        }
    }

    private void Scores(ReadOnlySpan<double> context, Span<double> score, Span<double> width)
    {
        Moments(context, score, width);
        for (var i = 0; i < score.Length; i++)
        {
            score[i] += Alpha * Math.Sqrt(width[i]);
        }
    }
}
