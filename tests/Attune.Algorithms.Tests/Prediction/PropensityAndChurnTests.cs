using Attune.Algorithms.Prediction;

namespace Attune.Algorithms.Tests.Prediction;

public sealed class PropensityAndChurnTests
{
    private const long Hour = 3600;
    private const long Day = 24 * Hour;
    private const long T = 1_700_000_000;

    [Fact]
    public void Events_at_or_after_the_cutoff_never_change_the_propensity_features()
    {
        var past = RandomEvents(new Random(1), users: 150, from: T - (7 * Day), to: T, count: 4_000);
        var future = RandomEvents(new Random(2), users: 200, from: T, to: T + (3 * Day), count: 3_000);
        future.Add(new BehaviorEvent(5, 1, 1, BehaviorType.Purchase, T));

        var before = PropensityFeatures.Build(new BehaviorHistory(past), T, maxCandidates: 10);
        var after = PropensityFeatures.Build(new BehaviorHistory(past.Concat(future).Reverse()), T, maxCandidates: 10);

        Assert.Equal(before.Users, after.Users);
        Assert.Equal(before.Items, after.Items);
        Assert.Equal(before.Features.Values, after.Features.Values);
        Assert.NotEqual(before.Labels, after.Labels);
    }

    [Fact]
    public void Events_at_or_after_the_cutoff_never_change_the_churn_features()
    {
        var past = RandomEvents(new Random(3), users: 150, from: T - (7 * Day), to: T, count: 2_000);
        var future = RandomEvents(new Random(4), users: 150, from: T, to: T + (3 * Day), count: 300);

        var before = PurchaseFeatures.Build(new BehaviorHistory(past), T, 1, UserLabel.Churn);
        var after = PurchaseFeatures.Build(new BehaviorHistory(past.Concat(future)), T, 1, UserLabel.Churn);

        Assert.Equal(before.Features.Values, after.Features.Values);
        Assert.All(before.Labels, l => Assert.Equal(1f, l)); // nobody is active after T without future events
        Assert.Contains(0f, after.Labels);
    }

    [Fact]
    public void Churn_label_is_one_only_without_any_event_in_the_horizon()
    {
        BehaviorEvent[] events =
        [
            new(1, 10, 100, BehaviorType.View, T - Hour),
            new(1, 10, 100, BehaviorType.View, T + (2 * Day)), // after a 1-day horizon: still churned
            new(2, 10, 100, BehaviorType.View, T - Hour),
            new(2, 11, 100, BehaviorType.View, T + Hour),
        ];

        var data = PurchaseFeatures.Build(new BehaviorHistory(events), T, 1, UserLabel.Churn);

        Assert.Equal([1L, 2L], data.Users);
        Assert.Equal([1f, 0f], data.Labels);
    }

    [Fact]
    public void Propensity_features_of_a_hand_written_history()
    {
        BehaviorEvent[] events =
        [
            new(1, 10, 100, BehaviorType.View, T - (30 * Hour)),
            new(1, 10, 100, BehaviorType.Cart, T - (5 * Hour)),
            new(1, 11, 100, BehaviorType.View, T - (3 * Hour)),
            new(1, 12, 200, BehaviorType.View, T - (2 * Hour)),
            new(2, 10, 100, BehaviorType.View, T - (40 * Hour)),
            new(2, 10, 100, BehaviorType.Purchase, T - (39 * Hour)),
            new(1, 10, 100, BehaviorType.Purchase, T + Hour),
        ];

        var data = PropensityFeatures.Build(new BehaviorHistory(events), T);

        var row = Enumerable.Range(0, data.Labels.Length).Single(r => data.Users[r] == 1 && data.Items[r] == 10);
        var f = PropensityFeatures.Names.Select((n, c) => (n, c)).ToDictionary(t => t.n, t => data.Features[row, t.c]);
        Assert.Equal(1f, data.Labels[row]);
        Assert.Equal([12L, 11L, 10L], data.Items.Where((_, r) => data.Users[r] == 1));
        Assert.Equal(1, f["ui_views"]);
        Assert.Equal(1, f["ui_carts"]);
        Assert.Equal(1, f["ui_events_1d"]);
        Assert.Equal(5, f["hours_since_ui_event"]);
        Assert.Equal(1, f["ui_open_cart"]);
        Assert.Equal(0.75f, f["user_category_share"]);
        Assert.Equal(4, f["item_events"]);
        Assert.Equal(1, f["item_purchases"]);
        Assert.Equal(1 / 3f, f["item_conversion"], 5);
        Assert.Equal(1 / 4f, f["category_conversion"], 5);
        Assert.Equal(4, f["user_events"]);
        Assert.Equal(2, f["hours_since_user_event"]);
    }

    [Fact]
    public void A_saved_classifier_reads_back_with_identical_predictions()
    {
        var rng = new Random(7);
        var values = new float[2_000 * 3];
        var labels = new float[2_000];
        for (var r = 0; r < labels.Length; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                values[(r * 3) + c] = (float)((rng.NextDouble() * 2) - 1);
            }

            labels[r] = values[r * 3] * values[(r * 3) + 1] > 0 ? 1f : 0f;
        }

        var table = new FeatureTable(values, ["a", "b", "c"]);
        IBinaryClassifier[] models =
        [
            LogisticRegression.Train(table, labels),
            GradientBoostedTrees.Train(table, labels, new GradientBoostedTreesOptions(Rounds: 20)),
            RandomForest.Train(table, labels, new RandomForestOptions(Trees: 5)),
        ];

        foreach (var model in models)
        {
            using var stream = new MemoryStream();
            ClassifierFile.Write(stream, model);
            stream.Position = 0;
            var copy = ClassifierFile.Read(stream);

            Assert.Equal(model.GetType(), copy.GetType());
            Assert.Equal(model.FeatureNames, copy.FeatureNames);
            Assert.Equal(model.PredictProbabilities(table), copy.PredictProbabilities(table));
            Assert.Equal(ClassifierFile.OptionsOf(model), ClassifierFile.OptionsOf(copy));
        }
    }

    [Fact]
    public void A_corrupted_classifier_file_is_refused_with_a_reason()
    {
        var table = new FeatureTable([0f, 1f, 2f, 3f], ["x"]);
        using var stream = new MemoryStream();
        ClassifierFile.Write(stream, LogisticRegression.Train(table, [0f, 0f, 1f, 1f]));
        var bytes = stream.ToArray();
        bytes[bytes.Length / 2] ^= 0xFF;

        var error = Assert.Throws<InvalidDataException>(() => ClassifierFile.Read(new MemoryStream(bytes)));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => ClassifierFile.Read(new MemoryStream("not a model"u8.ToArray())));
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
}
