using System.Globalization;

namespace Attune.Algorithms.Bandits;

/// <summary>
/// Epsilon-greedy: with probability epsilon a uniformly random arm, otherwise the arm with the highest mean
/// reward so far (ties split evenly; an arm never tried counts as best so every arm is tried once).
/// </summary>
/// <remarks>
/// Sutton and Barto, Reinforcement Learning (2nd ed., 2018), section 2.2. O(arms) per choice and O(1) per
/// update. Regret grows linearly (a constant share epsilon of traffic keeps exploring), which is what the
/// Thompson and UCB policies improve on. Propensities are exact:
/// (1 - epsilon) / |argmax| + epsilon / arms for a greedy arm, epsilon / arms otherwise.
/// </remarks>
public sealed class EpsilonGreedyPolicy : IBanditPolicy
{
    private readonly ArmCounters _counts;

    public EpsilonGreedyPolicy(int arms, double epsilon = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 1);
        if (!(epsilon >= 0 && epsilon <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Policy epsilon-greedy: epsilon={epsilon} must be in [0, 1].");
        }

        Epsilon = epsilon;
        _counts = new ArmCounters(arms);
    }

    public double Epsilon { get; }

    public string Name => "epsilon-greedy";

    public string Spec => string.Create(CultureInfo.InvariantCulture, $"epsilon-greedy:epsilon={Epsilon:R}");

    public int Arms => _counts.Arms;

    public int ContextDimension => 0;

    public int Choose(ReadOnlySpan<double> context, Random rng, out double probability)
    {
        Sampling.CheckContext(context, 0, Name);
        Span<double> means = Arms <= 256 ? stackalloc double[Arms] : new double[Arms];
        _counts.Means(means, double.PositiveInfinity);
        var greedy = Sampling.ArgMax(means, rng, out var ties);
        var arm = rng.NextDouble() < Epsilon ? rng.Next(Arms) : greedy;
        probability = means[arm] == means[greedy] ? ((1 - Epsilon) / ties) + (Epsilon / Arms) : Epsilon / Arms;
        return arm;
    }

    public void Update(int arm, ReadOnlySpan<double> context, double reward) => _counts.Add(arm, reward, Name);

    public void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities)
    {
        Sampling.CheckOutput(probabilities, Arms, Name);
        _counts.Means(probabilities, double.PositiveInfinity);
        var best = double.NegativeInfinity;
        foreach (var m in probabilities)
        {
            best = Math.Max(best, m);
        }

        var ties = 0;
        foreach (var m in probabilities)
        {
            ties += m == best ? 1 : 0;
        }

        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = (probabilities[i] == best ? (1 - Epsilon) / ties : 0) + (Epsilon / Arms);
        }
    }

    public void Write(BinaryWriter writer) => _counts.Write(writer, Name);

    public void Read(BinaryReader reader) => _counts.Read(reader, Name);
}
