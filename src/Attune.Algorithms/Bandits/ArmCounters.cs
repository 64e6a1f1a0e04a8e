namespace Attune.Algorithms.Bandits;

/// <summary>
/// Pulls and summed rewards per arm behind one lock, with the state format the counting policies share
/// (header, then pulls and reward sum per arm). O(1) per update, O(arms) per snapshot.
/// </summary>
internal sealed class ArmCounters(int arms)
{
    private readonly long[] _pulls = new long[arms];
    private readonly double[] _sums = new double[arms];
    private readonly Lock _gate = new();

    public int Arms => _pulls.Length;

    /// <summary>Checks the arm and the reward (as policy <paramref name="policy"/>) and counts one pull.</summary>
    public void Add(int arm, double reward, string policy)
    {
        Sampling.CheckArm(arm, _pulls.Length, policy);
        Sampling.CheckReward(reward, policy);
        lock (_gate)
        {
            _pulls[arm]++;
            _sums[arm] += reward;
        }
    }

    /// <summary>Mean reward of every arm; <paramref name="untried"/> for an arm never pulled.</summary>
    public void Means(Span<double> means, double untried)
    {
        lock (_gate)
        {
            for (var i = 0; i < _pulls.Length; i++)
            {
                means[i] = _pulls[i] == 0 ? untried : _sums[i] / _pulls[i];
            }
        }
    }

    public double Mean(int arm, double untried)
    {
        lock (_gate)
        {
            return _pulls[arm] == 0 ? untried : _sums[arm] / _pulls[arm];
        }
    }

    public void Write(BinaryWriter writer, string policy)
    {
        lock (_gate)
        {
            Sampling.WriteHeader(writer, policy, _pulls.Length, 0);
            for (var i = 0; i < _pulls.Length; i++)
            {
                writer.Write(_pulls[i]);
                writer.Write(_sums[i]);
            }
        }
    }

    /// <summary>Replaces the counts with a state written by <see cref="Write"/>; nothing changes when the state does not fit.</summary>
    public void Read(BinaryReader reader, string policy)
    {
        Sampling.CheckState(reader, policy, _pulls.Length, 0);
        var pulls = new long[_pulls.Length];
        var sums = new double[_pulls.Length];
        for (var i = 0; i < pulls.Length; i++)
        {
            pulls[i] = reader.ReadInt64();
            sums[i] = reader.ReadDouble();
        }

        lock (_gate)
        {
            pulls.CopyTo(_pulls, 0);
            sums.CopyTo(_sums, 0);
        }
    }
}
