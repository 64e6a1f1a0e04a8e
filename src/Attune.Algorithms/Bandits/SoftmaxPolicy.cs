using System.Globalization;

namespace Attune.Algorithms.Bandits;

/// <summary>
/// The softmax (Boltzmann) policy P(v | u) = exp(w_v . z_u / T) / sum_j exp(w_j . z_u / T), with
/// z_u = [1, context], learned online by stochastic gradient ascent on the expected reward.
/// </summary>
/// <remarks>
/// The update is the policy gradient (Williams 1992, REINFORCE) with a running-mean reward baseline, as in the
/// gradient bandit of Sutton and Barto (2018, section 2.8), extended to linear features:
/// w_j += eta ((r - rbar) (1[j = a] - pi_j) z / T - l2 w_j). Because the update only sees actions drawn from
/// the policy itself, the step is an unbiased estimate of the gradient of E[r]. With context dimension 0 it
/// is the classical gradient bandit. O(arms x d) per choice and per update. Propensities are exact.
/// </remarks>
public sealed class SoftmaxPolicy : IBanditPolicy
{
    private readonly double[] _weights;
    private readonly Lock _gate = new();
    private double _baseline;
    private long _updates;

    public SoftmaxPolicy(int arms, int contextDimension, double temperature = 1, double learningRate = 0.1, double l2 = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(contextDimension);
        if (!(temperature > 0 && double.IsFinite(temperature)))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), $"Policy softmax: temperature={temperature} must be positive and finite.");
        }

        if (!(learningRate > 0 && double.IsFinite(learningRate)))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"Policy softmax: learning-rate={learningRate} must be positive and finite.");
        }

        if (!(l2 >= 0 && double.IsFinite(l2)))
        {
            throw new ArgumentOutOfRangeException(nameof(l2), $"Policy softmax: l2={l2} must be finite and >= 0.");
        }

        Temperature = temperature;
        LearningRate = learningRate;
        L2 = l2;
        ContextDimension = contextDimension;
        _weights = new double[arms * (contextDimension + 1)];
        Arms = arms;
    }

    public double Temperature { get; }

    public double LearningRate { get; }

    public double L2 { get; }

    public string Name => "softmax";

    public string Spec => string.Create(CultureInfo.InvariantCulture, $"softmax:temperature={Temperature:R},learning-rate={LearningRate:R},l2={L2:R}");

    public int Arms { get; }

    public int ContextDimension { get; }

    public int Choose(ReadOnlySpan<double> context, Random rng, out double probability)
    {
        Span<double> p = Arms <= 256 ? stackalloc double[Arms] : new double[Arms];
        ActionProbabilities(context, p);
        var u = rng.NextDouble();
        var arm = 0;
        var running = p[0];
        while (arm < Arms - 1 && (u >= running || p[arm] == 0))
        {
            arm++;
            running += p[arm];
        }

        probability = p[arm];
        return arm;
    }

    public void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities)
    {
        Sampling.CheckContext(context, ContextDimension, Name);
        Sampling.CheckOutput(probabilities, Arms, Name);
        lock (_gate)
        {
            Probabilities(context, probabilities);
        }
    }

    public void Update(int arm, ReadOnlySpan<double> context, double reward)
    {
        Sampling.CheckArm(arm, Arms, Name);
        Sampling.CheckContext(context, ContextDimension, Name);
        Sampling.CheckReward(reward, Name);
        Span<double> p = Arms <= 256 ? stackalloc double[Arms] : new double[Arms];
        var width = ContextDimension + 1;
        lock (_gate)
        {
            Probabilities(context, p);
            _updates++;
            var advantage = reward - _baseline;
            _baseline += (reward - _baseline) / Math.Min(_updates, 1000);
            for (var j = 0; j < Arms; j++)
            {
                var g = advantage * ((j == arm ? 1 : 0) - p[j]) / Temperature;
                var w = _weights.AsSpan(j * width, width);
                w[0] += LearningRate * (g - (L2 * w[0]));
                for (var k = 1; k < width; k++)
                {
                    w[k] += LearningRate * ((g * context[k - 1]) - (L2 * w[k]));
                }
            }
        }
    }

    public void Write(BinaryWriter writer)
    {
        lock (_gate)
        {
            Sampling.WriteHeader(writer, Name, Arms, ContextDimension);
            writer.Write(_updates);
            writer.Write(_baseline);
            foreach (var w in _weights)
            {
                writer.Write(w);
            }
        }
    }

    public void Read(BinaryReader reader)
    {
        Sampling.CheckState(reader, Name, Arms, ContextDimension);
        var updates = reader.ReadInt64();
        var baseline = reader.ReadDouble();
        var weights = new double[_weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = reader.ReadDouble();
            if (!double.IsFinite(weights[i]))
            {
                throw new InvalidDataException("Saved softmax state holds a non-finite weight.");
            }
        }

        lock (_gate)
        {
            _updates = updates;
            _baseline = baseline;
            weights.CopyTo(_weights, 0);
        }
    }

    private void Probabilities(ReadOnlySpan<double> context, Span<double> p)
    {
        var width = ContextDimension + 1;
        var max = double.NegativeInfinity;
        for (var j = 0; j < Arms; j++)
        {
            var w = _weights.AsSpan(j * width, width);
            var s = w[0];
            for (var k = 1; k < width; k++)
            {
                s += w[k] * context[k - 1];
            }

            p[j] = s / Temperature;
            max = Math.Max(max, p[j]);
        }

        var sum = 0.0;
        for (var j = 0; j < Arms; j++)
        {
            p[j] = Math.Exp(p[j] - max);
            sum += p[j];
        }

        for (var j = 0; j < Arms; j++)
        {
            p[j] /= sum;
        }
    }
}
