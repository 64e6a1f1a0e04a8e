using System.Text.Json;
using Attune.Algorithms.Clustering;
using Attune.Engine.Profiles;
using Attune.Engine.Segments.Discovery;

namespace Attune.Engine.Tests.Segments;

public sealed class SegmentDiscoveryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly DateTimeOffset AsOf = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Discovery_recovers_planted_profile_groups_and_describes_them_in_words()
    {
        var (profiles, truth) = PlantedProfiles(new Random(3), perGroup: 150);

        var result = SegmentDiscovery.Discover(profiles, new SegmentDiscoveryOptions(MinK: 2, MaxK: 6, Seed: 7));

        var predicted = new int[profiles.Count];
        for (var c = 0; c < result.Members.Count; c++)
        {
            foreach (var id in result.Members[c])
            {
                predicted[profiles.FindIndex(p => p.UserId == id)] = c;
            }
        }

        foreach (var c in result.Clusters)
        {
            output.WriteLine($"{c.Cluster} ({c.Size}): {c.Description} | " + string.Join(", ", c.Traits.Select(t => $"{t.Feature} {t.Deviation:F2}")));
        }

        Assert.Equal(3, result.K);
        Assert.True(AdjustedRandIndex.Compute(truth, predicted) >= 0.9, $"ARI {AdjustedRandIndex.Compute(truth, predicted)}");
        var buyers = result.Clusters.Single(c => result.Members[c.Cluster].Any(id => id.StartsWith("g0-", StringComparison.Ordinal)));
        Assert.Contains("mobile", buyers.Description, StringComparison.Ordinal);
        Assert.Contains("sports", buyers.Description, StringComparison.Ordinal);
        var dormant = result.Clusters.Single(c => result.Members[c.Cluster].Any(id => id.StartsWith("g2-", StringComparison.Ordinal)));
        Assert.Contains("non-buyers", dormant.Description, StringComparison.Ordinal);
        Assert.Equal(profiles.Count, result.Clusters.Sum(c => c.Size));
        Assert.Equal(5, result.Trials.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_clusters()
    {
        var (profiles, _) = PlantedProfiles(new Random(4), perGroup: 60);

        var a = SegmentDiscovery.Discover(profiles, new SegmentDiscoveryOptions(Seed: 11));
        var b = SegmentDiscovery.Discover(profiles, new SegmentDiscoveryOptions(Seed: 11));

        Assert.Equal(a.Members, b.Members);
        Assert.Equal(a.Clusters.Select(c => c.Description), b.Clusters.Select(c => c.Description));
    }

    [Fact]
    public void Too_few_profiles_or_a_bad_range_are_refused_with_the_reason()
    {
        var (profiles, _) = PlantedProfiles(new Random(5), perGroup: 1);

        Assert.Contains("at least 3 profiles", Assert.Throws<InvalidOperationException>(() => SegmentDiscovery.Discover(profiles.Take(2), new SegmentDiscoveryOptions())).Message, StringComparison.Ordinal);
        Assert.Equal("maxK", new SegmentDiscoveryOptions(MinK: 5, MaxK: 3).Check()?.Field);
        Assert.Equal("minK", new SegmentDiscoveryOptions(MinK: 1).Check()?.Field);
    }

    /// <summary>
    /// Three groups: big spenders on mobile who love sports, casual desktop browsers of books, and dormant
    /// non-buyers of kitchen goods; each with noise.
    /// </summary>
    private static (List<UserProfile> Profiles, int[] Truth) PlantedProfiles(Random rng, int perGroup)
    {
        var list = new List<(UserProfile, int)>();
        for (var g = 0; g < 3; g++)
        {
            for (var i = 0; i < perGroup; i++)
            {
                double Noise(double scale) => scale * (1 + (0.15 * ((rng.NextDouble() * 2) - 1)));
                var (orders, revenue, events, device, category, lastSeenDays) = g switch
                {
                    0 => ((int)Noise(12), Noise(2_000), (long)Noise(400), "mobile", "sports", Noise(2)),
                    1 => ((int)Noise(2), Noise(60), (long)Noise(80), "desktop", "books", Noise(10)),
                    _ => (0, 0.0, (long)Noise(10), "tablet", "kitchen", Noise(120)),
                };
                var interests = new Dictionary<string, InterestScores>(StringComparer.Ordinal)
                {
                    ["category"] = new([new InterestScore(category, Noise(0.7)), new InterestScore("misc", 0.2)], 1),
                };
                var rfm = orders > 0 ? new RfmScores(Noise(5), orders, revenue, 3, 3, 3) : RfmScores.None;
                var profile = new UserProfile(
                    $"g{g}-{i:D4}", AsOf, AsOf.AddDays(-200), AsOf.AddDays(-lastSeenDays), events, (int)(events / 5), (int)Math.Min(150, events / 3),
                    null, "web", device, rfm, LifecycleStage.Active, interests, new Dictionary<string, PredictedScore>(),
                    new Dictionary<string, JsonElement>(), true, false);
                list.Add((profile, g));
            }
        }

        var ordered = list.OrderBy(t => t.Item1.UserId, StringComparer.Ordinal).ToList();
        return ([.. ordered.Select(t => t.Item1)], [.. ordered.Select(t => t.Item2)]);
    }
}
