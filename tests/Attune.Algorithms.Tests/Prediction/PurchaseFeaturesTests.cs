using Attune.Algorithms.Prediction;
using Xunit.Abstractions;

namespace Attune.Algorithms.Tests.Prediction;

public sealed class PurchaseFeaturesTests(ITestOutputHelper output)
{
    private const long Hour = 3600;
    private const long Day = 24 * Hour;
    private const long T = 1_700_000_000;

    [Fact]
    public void Events_at_or_after_the_cutoff_never_change_the_features()
    {
        var past = RandomEvents(new Random(1), users: 200, from: T - (7 * Day), to: T, count: 5_000);
        var future = RandomEvents(new Random(2), users: 260, from: T, to: T + (3 * Day), count: 3_000);
        // The boundary itself: an event exactly at T belongs to the future.
        future.Add(new BehaviorEvent(5, 1, 1, BehaviorType.Purchase, T));

        var before = PurchaseFeatures.Build(new BehaviorHistory(past), T);
        var after = PurchaseFeatures.Build(new BehaviorHistory(past.Concat(future).Reverse()), T);

        Assert.Equal(before.Users, after.Users);
        Assert.Equal(before.Features.Values, after.Features.Values);
        Assert.NotEqual(before.Labels, after.Labels);
    }

    [Fact]
    public void Features_of_a_hand_written_history()
    {
        BehaviorEvent[] events =
        [
            new(1, 10, 100, BehaviorType.View, T - (50 * Hour)),
            new(1, 10, 100, BehaviorType.Cart, T - (49 * Hour)),
            new(1, 11, 101, BehaviorType.View, T - (5 * Hour)),
            new(1, 11, 101, BehaviorType.Favorite, T - (4 * Hour)),
            new(1, 12, 101, BehaviorType.Purchase, T - (2 * Hour)),
            new(1, 13, 102, BehaviorType.View, T + Hour),
            new(1, 13, 102, BehaviorType.Purchase, T + (2 * Hour)),
        ];

        var data = PurchaseFeatures.Build(new BehaviorHistory(events), T);

        var f = Row(data, 0);
        Assert.Equal([1L], data.Users);
        Assert.Equal(1f, data.Labels[0]);
        Assert.Equal(2, f["views"]);
        Assert.Equal(1, f["carts"]);
        Assert.Equal(1, f["favorites"]);
        Assert.Equal(1, f["purchases"]);
        Assert.Equal(1, f["views_1d"]);
        Assert.Equal(0, f["carts_1d"]);
        Assert.Equal(1, f["favorites_1d"]);
        Assert.Equal(1, f["purchases_1d"]);
        Assert.Equal(5, f["events_3d"]);
        Assert.Equal(2, f["hours_since_last_event"]);
        Assert.Equal(5, f["hours_since_last_view"]);
        Assert.Equal(49, f["hours_since_last_cart"]);
        Assert.Equal(2, f["hours_since_last_purchase"]);
        Assert.Equal(50, f["hours_since_first_event"]);
        Assert.Equal(3, f["distinct_items"]);
        Assert.Equal(2, f["distinct_categories"]);
        Assert.Equal(2, f["days_active"]);
        Assert.Equal(2, f["open_cart_items"]);
        Assert.Equal(1, f["open_cart_items_1d"]);
        Assert.Equal(1 / 3f, f["purchase_rate"], 6);
        Assert.Equal(3 / 5f, f["last_day_share"], 6);
    }

    [Fact]
    public void Missing_behaviours_read_as_never()
    {
        var data = PurchaseFeatures.Build(new BehaviorHistory([new BehaviorEvent(1, 1, 1, BehaviorType.View, T - Hour)]), T);

        Assert.Equal((float)PurchaseFeatures.NeverHours, Row(data, 0)["hours_since_last_purchase"]);
    }

    [Fact]
    public void The_label_window_includes_the_cutoff_and_excludes_its_end()
    {
        BehaviorEvent[] events =
        [
            new(1, 1, 1, BehaviorType.View, T - Hour),
            new(1, 1, 1, BehaviorType.Purchase, T),
            new(2, 1, 1, BehaviorType.View, T - Hour),
            new(2, 1, 1, BehaviorType.Purchase, T + Day),
            new(3, 1, 1, BehaviorType.Purchase, T + Hour), // no past: not a row at T
        ];

        var data = PurchaseFeatures.Build(new BehaviorHistory(events), T, horizonDays: 1);

        Assert.Equal([1L, 2L], data.Users);
        Assert.Equal([1f, 0f], data.Labels);
        Assert.Equal([1f, 1f], PurchaseFeatures.Build(new BehaviorHistory(events), T, horizonDays: 2).Labels);
    }

    [Fact]
    public void Boosted_trees_recover_planted_purchase_intent()
    {
        var (train, trainLabels) = IntentData(users: 3_000, seed: 31);
        var (test, testLabels) = IntentData(users: 2_000, seed: 32);

        var model = GradientBoostedTrees.Train(train, trainLabels, new GradientBoostedTreesOptions(Rounds: 150, LearningRate: 0.05, MaxDepth: 4));

        var auc = BinaryMetrics.AucWithInterval(model.PredictProbabilities(test), testLabels);
        output.WriteLine($"planted intent: GBDT AUC {auc}");
        Assert.True(auc.Auc >= 0.85, $"AUC {auc}");
        var top = model.FeatureImportances().Take(4).Select(f => f.Feature).ToArray();
        Assert.Contains(top, f => f.Contains("cart", StringComparison.Ordinal) || f.Contains("hours_since", StringComparison.Ordinal));
    }

    /// <summary>
    /// A third of the users have purchase intent: over the week before T they cart more often and were
    /// active more recently, and they buy in [T, T + 1 day) with probability 0.8 (others 0.03).
    /// </summary>
    private static (FeatureTable Table, float[] Labels) IntentData(int users, int seed)
    {
        var rng = new Random(seed);
        var events = new List<BehaviorEvent>();
        for (var u = 0; u < users; u++)
        {
            var intent = rng.NextDouble() < 1 / 3.0;
            var n = 5 + rng.Next(30);
            var cartRate = intent ? 0.25 : 0.05;
            // Intent users' activity is skewed towards the last hours; others are spread over the week.
            var skew = intent ? 3.0 : 1.0;
            for (var k = 0; k < n; k++)
            {
                var age = (long)(7 * Day * Math.Pow(rng.NextDouble(), skew)) + 1;
                var type = rng.NextDouble() < cartRate ? BehaviorType.Cart : rng.NextDouble() < 0.05 ? BehaviorType.Favorite : BehaviorType.View;
                events.Add(new BehaviorEvent(u, rng.Next(500), rng.Next(20), type, T - age));
            }

            if (rng.NextDouble() < (intent ? 0.8 : 0.03))
            {
                events.Add(new BehaviorEvent(u, rng.Next(500), rng.Next(20), BehaviorType.Purchase, T + rng.Next((int)Day)));
            }
        }

        var data = PurchaseFeatures.Build(new BehaviorHistory(events), T);
        return (data.Features, data.Labels);
    }

    private static List<BehaviorEvent> RandomEvents(Random rng, int users, long from, long to, int count)
    {
        var list = new List<BehaviorEvent>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(new BehaviorEvent(rng.Next(users), rng.Next(300), rng.Next(15), (BehaviorType)rng.Next(4), from + rng.NextInt64(to - from)));
        }

        return list;
    }

    private static Dictionary<string, float> Row(PurchaseDataset data, int row) =>
        PurchaseFeatures.Names.Select((n, c) => (n, c)).ToDictionary(t => t.n, t => data.Features[row, t.c]);
}
