namespace Attune.Algorithms.Bandits;

/// <summary>Random variates the policies draw (normal, gamma, beta) and shared argument checks.</summary>
public static class Sampling
{
    /// <summary>Standard normal by the Box-Muller transform.</summary>
    public static double Normal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000), with the shape &lt; 1 boost u^(1/shape).</summary>
    public static double Gamma(Random rng, double shape)
    {
        if (shape < 1)
        {
            var u = 1.0 - rng.NextDouble();
            return Gamma(rng, shape + 1) * Math.Pow(u, 1.0 / shape);
        }

        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(rng);
                v = 1.0 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = 1.0 - rng.NextDouble();
            if (u < 1.0 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1.0 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    /// <summary>Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
    public static double Beta(Random rng, double a, double b)
    {
        var x = Gamma(rng, a);
        var y = Gamma(rng, b);
        var sum = x + y;
        return sum > 0 ? x / sum : 0.5;
    }

    /// <summary>Index of the largest value; ties broken uniformly at random (reservoir over the ties).</summary>
    public static int ArgMax(ReadOnlySpan<double> values, Random rng, out int ties)
    {
        var best = 0;
        ties = 1;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
                ties = 1;
            }
            else if (values[i] == values[best])
            {
                ties++;
                if (rng.Next(ties) == 0)
                {
                    best = i;
                }
            }
        }

        return best;
    }

    internal static void CheckContext(ReadOnlySpan<double> context, int dimension, string policy)
    {
        if (context.Length != dimension)
        {
            throw new ArgumentException($"Policy {policy} expects a context of {dimension} values, got {context.Length}.", nameof(context));
        }

        for (var i = 0; i < context.Length; i++)
        {
            if (!double.IsFinite(context[i]))
            {
                throw new ArgumentException($"Policy {policy}: context value #{i} is {context[i]}, not a finite number.", nameof(context));
            }
        }
    }

    internal static void CheckArm(int arm, int arms, string policy)
    {
        if ((uint)arm >= (uint)arms)
        {
            throw new ArgumentOutOfRangeException(nameof(arm), $"Policy {policy} has {arms} arms; arm {arm} does not exist.");
        }
    }

    internal static void CheckReward(double reward, string policy)
    {
        if (!double.IsFinite(reward))
        {
            throw new ArgumentOutOfRangeException(nameof(reward), $"Policy {policy}: reward {reward} is not a finite number.");
        }
    }

    internal static void CheckOutput(Span<double> probabilities, int arms, string policy)
    {
        if (probabilities.Length != arms)
        {
            throw new ArgumentException($"Policy {policy} has {arms} arms; the probability span has {probabilities.Length}.", nameof(probabilities));
        }
    }

    internal static void CheckState(BinaryReader reader, string policy, int arms, int dimension)
    {
        var name = reader.ReadString();
        var a = reader.ReadInt32();
        var d = reader.ReadInt32();
        if (name != policy || a != arms || d != dimension)
        {
            throw new InvalidDataException($"Saved bandit state is for {name} with {a} arms and dimension {d}; this policy is {policy} with {arms} arms and dimension {dimension}.");
        }
    }

    internal static void WriteHeader(BinaryWriter writer, string policy, int arms, int dimension)
    {
        writer.Write(policy);
        writer.Write(arms);
        writer.Write(dimension);
    }
}
