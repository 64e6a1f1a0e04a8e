namespace Attune.Experiments.Assignment;

/// <summary>One user's place in one experiment.</summary>
public readonly record struct Assignment(string ExperimentId, string VariantId, int VariantIndex);

/// <summary>The global holdout: a fixed share of users that receives no personalization and enters no experiment.</summary>
/// <param name="Fraction">Share of all users held out, in [0, 0.5].</param>
/// <param name="Salt">Hash salt; changing it reshuffles the holdout.</param>
public sealed record HoldoutSettings(double Fraction = 0, string Salt = "attune-holdout");

/// <summary>
/// Deterministic assignment of users to experiments, layers and the global holdout.
/// </summary>
/// <remarks>
/// A user is in the holdout when Unit("holdout:" + salt, user) &lt; fraction. Otherwise, in each layer the user
/// falls into bucket Bucket("layer:" + layer, user) of 10,000, and each experiment of the layer owns a disjoint
/// bucket range (its traffic share), so experiments of a layer never share a user while layers are independent
/// (Tang, Agarwal, O'Brien, Meyer, "Overlapping Experiment Infrastructure", KDD 2010). Inside its range, the
/// variant is chosen by Unit(experiment salt, user) against the cumulative variant weights, so the split is
/// independent of the layer bucket. Stateless: O(variants) per experiment, nothing stored per user.
/// Instances are immutable and thread-safe.
/// </remarks>
public sealed class ExperimentAssigner
{
    public const int Buckets = 10_000;

    private readonly ExperimentDefinition[] _running;

    public ExperimentAssigner(IEnumerable<ExperimentDefinition> experiments, HoldoutSettings? holdout = null)
    {
        _running = experiments.Where(e => e.Status == ExperimentStatus.Running).ToArray();
        Holdout = holdout ?? new HoldoutSettings();
    }

    public HoldoutSettings Holdout { get; }

    public bool IsInHoldout(string userId) =>
        Holdout.Fraction > 0 && AssignmentHash.Unit("holdout:" + Holdout.Salt, userId) < Holdout.Fraction;

    /// <summary>The variant of a running experiment for a user; null when the user is held out or outside its traffic.</summary>
    public Assignment? Assign(string experimentId, string userId)
    {
        foreach (var e in _running)
        {
            if (e.Id == experimentId)
            {
                return Assign(e, userId, Holdout);
            }
        }

        return null;
    }

    /// <summary>Every running experiment the user is in.</summary>
    public IReadOnlyList<Assignment> AssignAll(string userId)
    {
        if (IsInHoldout(userId))
        {
            return [];
        }

        var result = new List<Assignment>();
        foreach (var e in _running)
        {
            if (Assign(e, userId, null) is { } a)
            {
                result.Add(a);
            }
        }

        return result;
    }

    /// <summary>The assignment rule for any experiment (running or not), as results computation uses it.</summary>
    public static Assignment? Assign(ExperimentDefinition e, string userId, HoldoutSettings? holdout)
    {
        if (holdout is { Fraction: > 0 } && AssignmentHash.Unit("holdout:" + holdout.Salt, userId) < holdout.Fraction)
        {
            return null;
        }

        var bucket = AssignmentHash.Bucket("layer:" + e.Layer, userId, Buckets);
        if (bucket < e.BucketStart || bucket >= e.BucketEnd)
        {
            return null;
        }

        var total = 0.0;
        foreach (var v in e.Variants)
        {
            total += v.Weight;
        }

        var u = AssignmentHash.Unit(e.EffectiveSalt, userId) * total;
        var running = 0.0;
        for (var i = 0; i < e.Variants.Count; i++)
        {
            running += e.Variants[i].Weight;
            if (u < running || i == e.Variants.Count - 1)
            {
                return new Assignment(e.Id, e.Variants[i].Id, i);
            }
        }

        return null;
    }

    /// <summary>
    /// Gives <paramref name="experiment"/> the lowest free bucket range of its size in its layer, next to
    /// <paramref name="others"/> (draft and running experiments keep theirs; stopped ones free them).
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer has no free range that large.</exception>
    public static ExperimentDefinition Allocate(ExperimentDefinition experiment, IEnumerable<ExperimentDefinition> others)
    {
        var taken = others
            .Where(o => o.Id != experiment.Id && o.Layer == experiment.Layer && o.Status != ExperimentStatus.Stopped && o.BucketEnd > o.BucketStart)
            .Select(o => (o.BucketStart, o.BucketEnd))
            .OrderBy(r => r.BucketStart)
            .ToList();
        var size = Math.Max(1, experiment.BucketCount);
        var start = 0;
        foreach (var (s, end) in taken)
        {
            if (s - start >= size)
            {
                break;
            }

            start = Math.Max(start, end);
        }

        if (start + size > Buckets)
        {
            var free = Buckets - taken.Sum(r => r.BucketEnd - r.BucketStart);
            throw new InvalidOperationException(
                $"Layer '{experiment.Layer}' has no free range for traffic {experiment.Traffic:0.####} ({size} of {Buckets} buckets; {free} free in all). Lower the traffic, stop an experiment of the layer, or use another layer.");
        }

        return experiment with { BucketStart = start, BucketEnd = start + size };
    }
}
