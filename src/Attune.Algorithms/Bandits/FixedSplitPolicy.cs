using System.Globalization;

namespace Attune.Algorithms.Bandits;

/// <summary>
/// A/B/n with fixed traffic weights: arm i is shown with probability w_i / sum w. Learns nothing; it counts
/// pulls and rewards so reports can show per-arm means.
/// </summary>
/// <remarks>O(arms) per choice. Propensities are exact.</remarks>
public sealed class FixedSplitPolicy : IBanditPolicy
{
    private readonly double[] _cumulative;
    private readonly double[] _probabilities;
    private readonly ArmCounters _counts;

    public FixedSplitPolicy(int arms, IReadOnlyList<double>? weights = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 1);
        if (weights is not null && weights.Count != arms)
        {
            throw new ArgumentException($"Policy fixed has {arms} arms but {weights.Count} weights.", nameof(weights));
        }

        _probabilities = new double[arms];
        _cumulative = new double[arms];
        var total = 0.0;
        for (var i = 0; i < arms; i++)
        {
            var w = weights?[i] ?? 1.0;
            if (!double.IsFinite(w) || w < 0)
            {
                throw new ArgumentException($"Policy fixed: weight #{i + 1} is {w}; weights must be finite and >= 0.", nameof(weights));
            }

            total += w;
        }

        if (total <= 0)
        {
            throw new ArgumentException("Policy fixed: the weights sum to 0; at least one arm needs traffic.", nameof(weights));
        }

        var running = 0.0;
        for (var i = 0; i < arms; i++)
        {
            _probabilities[i] = (weights?[i] ?? 1.0) / total;
            running += _probabilities[i];
            _cumulative[i] = running;
        }

        _cumulative[^1] = 1.0;
        _counts = new ArmCounters(arms);
    }

    public string Name => "fixed";

    public string Spec => "fixed:weights=" + string.Join(",", Array.ConvertAll(_probabilities, p => p.ToString("R", CultureInfo.InvariantCulture)));

    public int Arms => _probabilities.Length;

    public int ContextDimension => 0;

    public int Choose(ReadOnlySpan<double> context, Random rng, out double probability)
    {
        Sampling.CheckContext(context, 0, Name);
        var u = rng.NextDouble();
        var arm = 0;
        while (arm < _cumulative.Length - 1 && (u >= _cumulative[arm] || _probabilities[arm] == 0))
        {
            arm++;
        }

        probability = _probabilities[arm];
        return arm;
    }

    public void Update(int arm, ReadOnlySpan<double> context, double reward) => _counts.Add(arm, reward, Name);

    public void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities)
    {
        Sampling.CheckOutput(probabilities, Arms, Name);
        _probabilities.CopyTo(probabilities);
    }

    /// <summary>Mean observed reward of an arm (0 before its first reward).</summary>
    public double MeanReward(int arm) => _counts.Mean(arm, 0);

    public void Write(BinaryWriter writer) => _counts.Write(writer, Name);

    public void Read(BinaryReader reader) => _counts.Read(reader, Name);
}
