namespace Attune.Experiments.Simulation;

/// <summary>
/// A synthetic population with known tastes: each user belongs to a segment, carries a context vector
/// (segment one-hot plus noise features) and clicks variant v at position k with probability
/// ctr[segment, v] x bias[k] x fatigue^(earlier exposures of the user to v) (a position-based click model,
/// Craswell et al. 2008, with multiplicative fatigue). A click turns into a purchase with a fixed probability
/// and a log-normal order value. Because every probability is known, regret and policy values are exact.
/// </summary>
public sealed class Population
{
    private readonly double[] _ctr;
    private readonly double[] _features;

    public Population(PopulationOptions options)
    {
        options.Validate();
        Options = options;
        var rng = new Random(options.Seed);
        _ctr = new double[options.Segments * options.Variants];
        for (var s = 0; s < options.Segments; s++)
        {
            for (var v = 0; v < options.Variants; v++)
            {
                _ctr[(s * options.Variants) + v] = v == s % options.Variants
                    ? options.FavouriteClickRate
                    : options.OtherClickLow + (rng.NextDouble() * (options.OtherClickHigh - options.OtherClickLow));
            }
        }

        Segment = new int[options.Users];
        Activity = new int[options.Users];
        ContextDimension = options.Segments + options.NoiseFeatures;
        _features = new double[options.Users * ContextDimension];
        UserIds = new string[options.Users];
        for (var u = 0; u < options.Users; u++)
        {
            Segment[u] = rng.Next(options.Segments);
            Activity[u] = 1 + (int)(-Math.Log(1 - rng.NextDouble()) * (options.MeanVisits - 1));
            UserIds[u] = "sim-user-" + u.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var x = _features.AsSpan(u * ContextDimension, ContextDimension);
            x[Segment[u]] = 1;
            for (var k = options.Segments; k < ContextDimension; k++)
            {
                x[k] = (rng.NextDouble() * 2) - 1;
            }
        }
    }

    public PopulationOptions Options { get; }

    public int Users => Options.Users;

    public int Variants => Options.Variants;

    public int ContextDimension { get; }

    public int[] Segment { get; }

    public string[] UserIds { get; }

    /// <summary>Visits of each user per period (a stable trait: active users stay active), 1 + exponential with mean <see cref="PopulationOptions.MeanVisits"/> - 1.</summary>
    public int[] Activity { get; }

    public ReadOnlySpan<double> Context(int user) => _features.AsSpan(user * ContextDimension, ContextDimension);

    /// <summary>The ground-truth click rate of a segment for a variant at the top position without fatigue.</summary>
    public double BaseClickRate(int segment, int variant) => _ctr[(segment * Variants) + variant];

    public double ClickProbability(int user, int variant, int position = 0, int exposures = 0) =>
        BaseClickRate(Segment[user], variant) * Options.PositionBias[position] * Math.Pow(Options.Fatigue, exposures);

    /// <summary>The variant with the best click rate averaged over the population (the best non-personalized choice).</summary>
    public int BestSingleVariant(out double averageClickRate)
    {
        var best = 0;
        averageClickRate = double.NegativeInfinity;
        for (var v = 0; v < Variants; v++)
        {
            var sum = 0.0;
            for (var u = 0; u < Users; u++)
            {
                sum += BaseClickRate(Segment[u], v);
            }

            if (sum / Users > averageClickRate)
            {
                averageClickRate = sum / Users;
                best = v;
            }
        }

        return best;
    }

    /// <summary>A log-normal order value with mean <see cref="PopulationOptions.MeanOrderValue"/> (sigma 0.5).</summary>
    public double OrderValue(Random rng) => Options.MeanOrderValue * Math.Exp((0.5 * Attune.Algorithms.Bandits.Sampling.Normal(rng)) - 0.125);
}
