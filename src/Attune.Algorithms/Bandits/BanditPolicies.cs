namespace Attune.Algorithms.Bandits;

/// <summary>Creates policies from spec strings and saves / restores them with their learned state.</summary>
/// <remarks>
/// Specs (parameters optional, defaults shown):
/// "fixed:weights=1,1,..." (A/B/n split), "epsilon-greedy:epsilon=0.1",
/// "thompson:alpha=1,beta=1,samples=1000" (Beta-Bernoulli), "linucb:alpha=1,lambda=1",
/// "linear-thompson:v=0.5,lambda=1,samples=1000", "softmax:temperature=1,learning-rate=0.1,l2=0".
/// The non-contextual policies (fixed, epsilon-greedy, thompson) require context dimension 0.
/// </remarks>
public static class BanditPolicies
{
    private const int FormatVersion = 1;
    private const string Magic = "attune-bandit";

    public static IReadOnlyList<string> Names { get; } = ["fixed", "epsilon-greedy", "thompson", "linucb", "linear-thompson", "softmax"];

    /// <summary>Whether the named family reads a context.</summary>
    public static bool IsContextual(string name) => name is "linucb" or "linear-thompson" or "softmax";

    /// <exception cref="FormatException">The spec names an unknown policy, an unknown parameter or a bad value.</exception>
    public static IBanditPolicy Create(string spec, int arms, int contextDimension = 0)
    {
        var s = BanditSpec.Parse(spec);
        if (arms < 1)
        {
            throw new FormatException($"Policy {s.Name} needs at least 1 arm; got {arms}.");
        }

        if (contextDimension < 0)
        {
            throw new FormatException($"Policy {s.Name}: context dimension {contextDimension} must be >= 0.");
        }

        if (!IsContextual(s.Name) && contextDimension != 0 && Names.Contains(s.Name))
        {
            throw new FormatException($"Policy {s.Name} is not contextual; use context dimension 0 (got {contextDimension}).");
        }

        switch (s.Name)
        {
            case "fixed":
            case "ab":
                s.RejectUnknown("weights");
                var weights = s.Doubles("weights");
                if (weights is not null && weights.Length != arms)
                {
                    throw new FormatException($"Policy fixed: {weights.Length} weights for {arms} arms.");
                }

                if (weights is not null && weights.Sum() <= 0)
                {
                    throw new FormatException("Policy fixed: the weights sum to 0.");
                }

                return new FixedSplitPolicy(arms, weights);
            case "epsilon-greedy":
                s.RejectUnknown("epsilon");
                return new EpsilonGreedyPolicy(arms, s.Double("epsilon", 0.1, e => e is >= 0 and <= 1, "must be in [0, 1]"));
            case "thompson":
                s.RejectUnknown("alpha", "beta", "samples");
                return new BetaThompsonPolicy(
                    arms,
                    s.Double("alpha", 1, a => a > 0, "must be positive"),
                    s.Double("beta", 1, b => b > 0, "must be positive"),
                    s.Int("samples", 1000, n => n is >= 1 and <= 1_000_000, "must be in [1, 1000000]"));
            case "linucb":
                s.RejectUnknown("alpha", "lambda");
                return new LinUcbPolicy(
                    arms,
                    contextDimension,
                    s.Double("alpha", 1, a => a >= 0, "must be >= 0"),
                    s.Double("lambda", 1, l => l > 0, "must be positive"));
            case "linear-thompson":
                s.RejectUnknown("v", "lambda", "samples");
                return new LinearThompsonPolicy(
                    arms,
                    contextDimension,
                    s.Double("v", 0.5, v => v >= 0, "must be >= 0"),
                    s.Double("lambda", 1, l => l > 0, "must be positive"),
                    s.Int("samples", 1000, n => n is >= 1 and <= 1_000_000, "must be in [1, 1000000]"));
            case "softmax":
                s.RejectUnknown("temperature", "learning-rate", "l2");
                return new SoftmaxPolicy(
                    arms,
                    contextDimension,
                    s.Double("temperature", 1, t => t > 0, "must be positive"),
                    s.Double("learning-rate", 0.1, l => l > 0, "must be positive"),
                    s.Double("l2", 0, l => l >= 0, "must be >= 0"));
            default:
                throw new FormatException($"Unknown policy \"{s.Name}\"; known: {string.Join(", ", Names)}.");
        }
    }

    /// <summary>Writes the spec, the shape and the learned state, so <see cref="Load"/> recreates the policy exactly.</summary>
    public static void Save(IBanditPolicy policy, BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(policy.Spec);
        writer.Write(policy.Arms);
        writer.Write(policy.ContextDimension);
        policy.Write(writer);
    }

    /// <exception cref="InvalidDataException">The stream does not hold a saved policy.</exception>
    public static IBanditPolicy Load(BinaryReader reader)
    {
        try
        {
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException("Not a saved bandit policy.");
            }

            var version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"Saved bandit policy has format version {version}; this build reads {FormatVersion}.");
            }

            var policy = Create(reader.ReadString(), reader.ReadInt32(), reader.ReadInt32());
            policy.Read(reader);
            return policy;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            throw new InvalidDataException("Saved bandit policy is truncated or corrupt: " + e.Message, e);
        }
    }

    /// <summary>Saves to a file atomically (temp file, then rename), so a crash never leaves half a state.</summary>
    public static void SaveFile(IBanditPolicy policy, string path)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        using (var writer = new BinaryWriter(stream))
        {
            Save(policy, writer);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static IBanditPolicy LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        return Load(reader);
    }
}
