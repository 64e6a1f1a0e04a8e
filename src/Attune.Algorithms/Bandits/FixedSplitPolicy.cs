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
    private readonly long[] _pulls;
    private readonly double[] _rewards;
    private readonly Lock _gate = new();

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
        _pulls = new long[arms];
        _rewards = new double[arms];
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

    public void Update(int arm, ReadOnlySpan<double> context, double reward)
    {
        Sampling.CheckArm(arm, Arms, Name);
        Sampling.CheckReward(reward, Name);
        lock (_gate)
        {
            _pulls[arm]++;
            _rewards[arm] += reward;
        }
    }

    public void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities)
    {
        Sampling.CheckOutput(probabilities, Arms, Name);
        _probabilities.CopyTo(probabilities);
    }

    /// <summary>Mean observed reward of an arm (0 before its first reward).</summary>
    public double MeanReward(int arm)
    {
        lock (_gate)
        {
            return _pulls[arm] == 0 ? 0 : _rewards[arm] / _pulls[arm];
        }
    }

    public void Write(BinaryWriter writer)
    {
        lock (_gate)
        {
            Sampling.WriteHeader(writer, Name, Arms, 0);
            for (var i = 0; i < Arms; i++)
            {
                writer.Write(_pulls[i]);
                writer.Write(_rewards[i]);
            }
        }
    }

    public void Read(BinaryReader reader)
    {
        Sampling.CheckState(reader, Name, Arms, 0);
        var pulls = new long[Arms];
        var rewards = new double[Arms];
        for (var i = 0; i < Arms; i++)
        {
            pulls[i] = reader.ReadInt64();
            rewards[i] = reader.ReadDouble();
        }

        lock (_gate)
        {
            pulls.CopyTo(_pulls, 0);
            rewards.CopyTo(_rewards, 0);
        }
    }
}
