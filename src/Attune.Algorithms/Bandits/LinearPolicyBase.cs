namespace Attune.Algorithms.Bandits;

/// <summary>Shared state of the disjoint linear policies: one <see cref="RidgeArm"/> per arm behind a lock.</summary>
public abstract class LinearPolicyBase : IBanditPolicy
{
    private RidgeArm[] _arms;

    protected LinearPolicyBase(int arms, int contextDimension, double lambda)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(contextDimension);
        if (!(lambda > 0 && double.IsFinite(lambda)))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), $"Ridge penalty lambda={lambda} must be positive and finite.");
        }

        Lambda = lambda;
        ContextDimension = contextDimension;
        _arms = new RidgeArm[arms];
        for (var i = 0; i < arms; i++)
        {
            _arms[i] = new RidgeArm(contextDimension, lambda);
        }
    }

    public double Lambda { get; }

    public abstract string Name { get; }

    public abstract string Spec { get; }

    public int Arms => _arms.Length;

    public int ContextDimension { get; }

    protected Lock Gate { get; } = new();

    public abstract int Choose(ReadOnlySpan<double> context, Random rng, out double probability);

    public abstract void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities);

    public void Update(int arm, ReadOnlySpan<double> context, double reward)
    {
        Sampling.CheckArm(arm, Arms, Name);
        Sampling.CheckContext(context, ContextDimension, Name);
        Sampling.CheckReward(reward, Name);
        lock (Gate)
        {
            _arms[arm].Update(context, reward);
        }
    }

    /// <summary>Writes each arm's ridge mean and squared width for <paramref name="context"/> under the lock.</summary>
    protected void Moments(ReadOnlySpan<double> context, Span<double> mean, Span<double> variance)
    {
        lock (Gate)
        {
            for (var i = 0; i < _arms.Length; i++)
            {
                mean[i] = _arms[i].Predict(context);
                variance[i] = _arms[i].Variance(context);
            }
        }
    }

    public void Write(BinaryWriter writer)
    {
        lock (Gate)
        {
            Sampling.WriteHeader(writer, Name, Arms, ContextDimension);
            foreach (var arm in _arms)
            {
                arm.Write(writer);
            }
        }
    }

    public void Read(BinaryReader reader)
    {
        Sampling.CheckState(reader, Name, Arms, ContextDimension);
        var arms = new RidgeArm[Arms];
        for (var i = 0; i < arms.Length; i++)
        {
            arms[i] = RidgeArm.Read(reader, ContextDimension, Lambda);
        }

        lock (Gate)
        {
            _arms = arms;
        }
    }
}
