namespace Attune.Algorithms.Bandits;

/// <summary>
/// An online policy that picks one of <see cref="Arms"/> variants for a context and learns from the rewards
/// of its own choices.
/// </summary>
/// <remarks>
/// Thread-safety: every member of every policy in this namespace is safe to call concurrently; learning
/// state is guarded by a lock held for O(arms x d^2) at most. The <see cref="Random"/> handed to
/// <see cref="Choose"/> is the caller's and must not be shared between threads unless it is
/// <see cref="Random.Shared"/>.
/// Contexts are dense feature vectors of exactly <see cref="ContextDimension"/> values (an empty span
/// when the policy is not contextual). Contextual policies add their own intercept, so callers do not
/// append a constant feature.
/// Rewards are real numbers; the Beta-Bernoulli policy requires them in [0, 1] (a click is 1).
/// </remarks>
public interface IBanditPolicy
{
    /// <summary>The policy family, as in its spec (for example "linucb").</summary>
    string Name { get; }

    /// <summary>The canonical spec that recreates this policy with all its hyper-parameters, e.g. "linucb:alpha=1,lambda=1".</summary>
    string Spec { get; }

    int Arms { get; }

    /// <summary>The context length the policy expects; 0 when it ignores context.</summary>
    int ContextDimension { get; }

    /// <summary>
    /// Picks an arm. <paramref name="probability"/> is the propensity of the chosen arm under the policy's
    /// current state: exact where the policy has a closed form, estimated by Monte Carlo for Thompson sampling
    /// (see each policy's remarks for the sample count). It is always in (0, 1].
    /// </summary>
    int Choose(ReadOnlySpan<double> context, Random rng, out double probability);

    /// <summary>Learns from the reward observed after <paramref name="arm"/> was shown in <paramref name="context"/>.</summary>
    void Update(int arm, ReadOnlySpan<double> context, double reward);

    /// <summary>
    /// Writes the probability of each arm for <paramref name="context"/> (length <see cref="Arms"/>, sums to 1),
    /// as needed by off-policy evaluation. Deterministic for a given state (Monte-Carlo estimates use a fixed seed).
    /// </summary>
    void ActionProbabilities(ReadOnlySpan<double> context, Span<double> probabilities);

    /// <summary>Writes the learned state (not the hyper-parameters: those are in <see cref="Spec"/>).</summary>
    void Write(BinaryWriter writer);

    /// <summary>Replaces the learned state with one written by <see cref="Write"/> of a policy with the same spec, arms and dimension.</summary>
    void Read(BinaryReader reader);
}
