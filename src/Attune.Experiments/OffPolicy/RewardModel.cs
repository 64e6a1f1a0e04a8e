using Attune.Algorithms.Bandits;

namespace Attune.Experiments.OffPolicy;

/// <summary>A model of the expected reward of each action in a context, used by the direct and doubly robust estimators.</summary>
public interface IRewardModel
{
    int Arms { get; }

    /// <summary>Writes the predicted reward of every action for <paramref name="context"/>.</summary>
    void Predict(ReadOnlySpan<double> context, Span<double> rewards);
}

/// <summary>Per-action ridge regression of the reward on the context (with intercept), fitted on logged decisions.</summary>
/// <remarks>
/// One <see cref="RidgeArm"/> per action: O(rows x d^2) to fit, O(actions x d) per prediction after the first.
/// With a one-hot context it reduces to shrunken per-(context, action) means.
/// </remarks>
public sealed class RidgeRewardModel : IRewardModel
{
    private readonly RidgeArm[] _arms;
    private readonly Lock _gate = new();

    private RidgeRewardModel(RidgeArm[] arms) => _arms = arms;

    public int Arms => _arms.Length;

    public static RidgeRewardModel Fit(IReadOnlyList<LoggedDecision> logs, int arms, int contextDimension, double lambda = 1)
    {
        var models = new RidgeArm[arms];
        for (var a = 0; a < arms; a++)
        {
            models[a] = new RidgeArm(contextDimension, lambda);
        }

        foreach (var row in logs)
        {
            models[row.Action].Update(row.Context, row.Reward);
        }

        return new RidgeRewardModel(models);
    }

    public void Predict(ReadOnlySpan<double> context, Span<double> rewards)
    {
        lock (_gate)
        {
            for (var a = 0; a < _arms.Length; a++)
            {
                rewards[a] = _arms[a].Predict(context);
            }
        }
    }
}
