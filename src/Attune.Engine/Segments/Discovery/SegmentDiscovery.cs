using System.Globalization;
using Attune.Algorithms.Clustering;
using Attune.Algorithms.Prediction;
using Attune.Engine.Profiles;

namespace Attune.Engine.Segments.Discovery;

/// <summary>Settings of one discovery run.</summary>
/// <param name="MinK">Smallest number of clusters tried (≥ 2).</param>
/// <param name="MaxK">Largest number tried; clipped to the number of profiles − 1.</param>
/// <param name="Seed">Seeds k-means++ and the silhouette sample.</param>
/// <param name="InterestKeys">Interest keys per field (the most common in the population) added as features.</param>
/// <param name="SampleMembers">Member ids listed per cluster in the result.</param>
public sealed record SegmentDiscoveryOptions(int MinK = 2, int MaxK = 8, int Seed = 42, int InterestKeys = 5, int SampleMembers = 10)
{
    public const int MaxClusters = 50;

    /// <summary>The first problem with these options as (field, message), or null.</summary>
    public (string Field, string Message)? Check() =>
        MinK < 2 ? ("minK", "must be at least 2 (the silhouette needs two clusters).")
        : MaxK < MinK ? ("maxK", $"must be at least minK ({MinK}).")
        : MaxK > MaxClusters ? ("maxK", $"must be at most {MaxClusters}.")
        : InterestKeys is < 0 or > 50 ? ("interestKeys", "must be between 0 and 50.")
        : SampleMembers is < 0 or > 1000 ? ("sampleMembers", "must be between 0 and 1000.")
        : null;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"SegmentDiscovery(MinK={MinK}, MaxK={MaxK}, Seed={Seed}, InterestKeys={InterestKeys}, SampleMembers={SampleMembers})");
}

/// <summary>One feature that sets a cluster apart, in standard deviations from the population mean.</summary>
public sealed record ClusterTrait(string Feature, double Deviation, string Words);

/// <summary>A discovered cluster: its size, its description in words and the traits behind it.</summary>
public sealed record DiscoveredCluster(int Cluster, int Size, string Description, IReadOnlyList<ClusterTrait> Traits, IReadOnlyList<string> SampleMembers);

/// <summary>The silhouette and inertia of one k tried.</summary>
public sealed record ClusterCountTrial(int K, double Silhouette, double Inertia);

/// <summary>The outcome of a discovery run. <see cref="Members"/> (every member per cluster) is not serialized.</summary>
public sealed record SegmentDiscoveryResult(
    int Profiles,
    int K,
    double Silhouette,
    string Options,
    IReadOnlyList<string> Features,
    IReadOnlyList<ClusterCountTrial> Trials,
    IReadOnlyList<DiscoveredCluster> Clusters)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<IReadOnlyList<string>> Members { get; init; } = [];
}

/// <summary>
/// Discovered segments: k-means++ on standardized profile feature vectors (<see cref="ProfileFeatures"/>), k chosen
/// by the mean silhouette within a range, each cluster described by its most distinguishing features in words.
/// </summary>
/// <remarks>
/// Arthur and Vassilvitskii, "k-means++", SODA 2007 (seeding); Rousseeuw, J. Comput. Appl. Math. 20, 1987
/// (silhouette). Profiles are taken in user id order and k-means is deterministic by seed, so the same profiles
/// and options give the same clusters. Bots are left out. Cost: O(n·k·d) per Lloyd iteration for each k tried,
/// plus the silhouette on a sample of at most 2,000 profiles.
/// </remarks>
public static class SegmentDiscovery
{
    public static SegmentDiscoveryResult Discover(IEnumerable<UserProfile> profiles, SegmentDiscoveryOptions options, IReadOnlyList<string>? predictionNames = null)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Check() is { } bad)
        {
            throw new ArgumentException($"{bad.Field} {bad.Message}", bad.Field);
        }

        // Sorted so the result does not depend on the order the store enumerates profiles in.
        var list = profiles.Where(p => !p.IsBot).OrderBy(p => p.UserId, StringComparer.Ordinal).ToList();
        if (list.Count < 3)
        {
            throw new InvalidOperationException($"Discovery needs at least 3 profiles; there are {list.Count}.");
        }

        var features = ProfileFeatures.Create(list, options.InterestKeys, predictionNames);
        var values = new float[list.Count * features.Count];
        for (var i = 0; i < list.Count; i++)
        {
            features.Write(list[i], values.AsSpan(i * features.Count, features.Count));
        }

        var table = new FeatureTable(values, features.Names);
        var maxK = Math.Min(options.MaxK, list.Count - 1);
        var minK = Math.Min(options.MinK, maxK);
        var selection = KMeansSelection.FitBestK(table, minK, maxK, new KMeansOptions(Seed: options.Seed));
        var model = selection.Best;
        var members = new List<string>[model.K];
        for (var c = 0; c < model.K; c++)
        {
            members[c] = [];
        }

        for (var i = 0; i < list.Count; i++)
        {
            members[model.Assignments[i]].Add(list[i].UserId);
        }

        // "not mobile" next to "desktop" says nothing new: absences are kept only when nothing present stands out.
        var descriptions = ClusterDescriber.Describe(model, Words(features.Names), maxFeatures: 12);
        var clusters = descriptions
            .Select(d =>
            {
                var present = d.Features.Where(f => !f.Words.StartsWith("not ", StringComparison.Ordinal) && !f.Words.StartsWith("little ", StringComparison.Ordinal)).ToList();
                var traits = (present.Count > 0 ? present : [.. d.Features]).DistinctBy(f => f.Words).Take(4).ToArray();
                return new DiscoveredCluster(
                    d.Cluster,
                    d.Size,
                    traits.Length == 0 ? "average on every feature" : string.Join(", ", traits.Select(f => f.Words)),
                    [.. traits.Select(f => new ClusterTrait(f.Feature, Math.Round(f.Deviation, 3), f.Words))],
                    [.. members[d.Cluster].Take(options.SampleMembers)]);
            })
            .ToArray();
        var chosen = selection.Scores.First(s => s.K == model.K);
        return new SegmentDiscoveryResult(
            list.Count,
            model.K,
            chosen.Silhouette,
            options.ToString(),
            features.Names,
            [.. selection.Scores.Select(s => new ClusterCountTrial(s.K, s.Silhouette, s.Inertia))],
            clusters)
        {
            Members = members,
        };
    }

    /// <summary>How each profile feature reads when a cluster is above or below the population on it.</summary>
    public static IReadOnlyList<FeatureWords> Words(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var words = new List<FeatureWords>
        {
            new("log_recency_days", "bought long ago", "bought recently"),
            new("log_orders", "frequent buyers", "rare buyers"),
            new("log_revenue", "high spenders", "low spenders"),
            new("log_aov", "big baskets", "small baskets"),
            new("has_orders", "buyers", "non-buyers"),
            new("rfm_r", "recent buyers", "not recent buyers"),
            new("rfm_f", "frequent buyers", "infrequent buyers"),
            new("rfm_m", "high value", "low value"),
            new("log_events", "very active", "little activity"),
            new("log_sessions", "many visits", "few visits"),
            new("log_active_days", "regulars", "occasional"),
            new("log_days_since_seen", "dormant", "seen recently"),
            new("log_tenure_days", "long-standing", "newcomers"),
            new("log_avg_dwell", "long reads", "quick looks"),
        };
        foreach (var name in names)
        {
            if (name.StartsWith("channel_", StringComparison.Ordinal))
            {
                words.Add(new(name, name["channel_".Length..], "not " + name["channel_".Length..]));
            }
            else if (name.StartsWith("device_", StringComparison.Ordinal))
            {
                words.Add(new(name, name["device_".Length..], "not " + name["device_".Length..]));
            }
            else if (name.StartsWith("lifecycle_", StringComparison.Ordinal))
            {
                var stage = name["lifecycle_".Length..].Replace('_', '-');
                words.Add(new(name, stage, "not " + stage));
            }
            else if (name.StartsWith("interests.", StringComparison.Ordinal) && name.IndexOf('[', StringComparison.Ordinal) is var open and > 0 && name.EndsWith(']'))
            {
                var key = name[(open + 1)..^1];
                words.Add(new(name, key, "little " + key));
            }
            else if (name.StartsWith("predicted.", StringComparison.Ordinal))
            {
                var p = name["predicted.".Length..];
                words.Add(new(name, "high " + p, "low " + p));
            }
        }

        return words;
    }
}

/// <summary>Serializer of discovery results (CLI output; the server has its own context).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[System.Text.Json.Serialization.JsonSerializable(typeof(SegmentDiscoveryResult))]
public sealed partial class DiscoveryJson : System.Text.Json.Serialization.JsonSerializerContext;
