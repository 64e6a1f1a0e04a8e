using Attune.Core;
using Attune.Datasets;
using Attune.Evaluation.Data;

namespace Attune.Evaluation.Tests.Data;

public class InteractionLoaderTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_000_000);

    private static EventRecord Rating(string user, string item, double value, int line) =>
        new(new Event(null, user, item, EventTypes.Rating, value, T0.AddSeconds(line)), "ratings", line);

    [Fact]
    public void Every_rating_is_a_positive_by_default()
    {
        var (rows, summary) = InteractionLoader.FromRecords([Rating("a", "x", 1, 1), Rating("a", "y", 5, 2), Rating("b", "x", 3, 3)]);

        Assert.Equal(3, rows.Count);
        Assert.Equal(2, rows.UserCount);
        Assert.Equal(2, rows.ItemCount);
        Assert.Equal(3, summary.Kept);
        Assert.Equal([1_000_001_000L, 1_000_002_000L, 1_000_003_000L], rows.TimestampMs);
    }

    [Fact]
    public void Min_rating_drops_lower_ratings_only()
    {
        var view = new EventRecord(new Event(null, "b", "z", EventTypes.View, 0.5, T0), "events", 4);

        var (rows, _) = InteractionLoader.FromRecords([Rating("a", "x", 1, 1), Rating("a", "y", 4, 2), Rating("b", "x", 3, 3), view], new LoadOptions(MinRating: 3.5));

        // The view's value (0.5) is not a rating, so it stays; ratings 1 and 3 go.
        Assert.Equal(2, rows.Count);
        Assert.Equal(["y", "z"], rows.Item.Select(i => rows.Items[i]).ToArray());
    }

    [Fact]
    public void Negative_and_neutral_events_are_not_positives()
    {
        DatasetRecord[] records =
        [
            new EventRecord(new Event(null, "a", "x", EventTypes.AddToCart, null, T0), "e", 1),
            new EventRecord(new Event(null, "a", "x", EventTypes.RemoveFromCart, null, T0), "e", 2),
            new EventRecord(new Event(null, "a", "y", EventTypes.Impression, null, T0), "e", 3),
            new EventRecord(new Event(null, "a", null, EventTypes.Search, null, T0), "e", 4),
        ];

        var (rows, summary) = InteractionLoader.FromRecords(records);

        Assert.Equal(1, rows.Count);
        Assert.Equal(3f, rows.Weight[0]);
        Assert.Equal(4, summary.Events);
    }

    [Fact]
    public void Item_categories_become_item_features_and_rejections_are_counted()
    {
        DatasetRecord[] records =
        [
            new ItemRecord(new Item("x", Categories: ["Drama", "War"]), "items", 1),
            new RejectedRecord("expected 4 fields", "ratings", 7),
            Rating("a", "x", 4, 1),
            Rating("a", "y", 4, 2),
        ];

        var (rows, summary) = InteractionLoader.FromRecords(records);

        Assert.NotNull(rows.ItemFeatures);
        Assert.Equal(["Drama", "War"], rows.ItemFeatures!.Categories[rows.Items.IndexOf("x")]);
        Assert.Empty(rows.ItemFeatures.Categories[rows.Items.IndexOf("y")]);
        Assert.Equal(1, summary.Rejected);
        Assert.Equal("ratings line 7: expected 4 fields", summary.FirstRejections[0]);
    }

    [Fact]
    public void A_store_snapshot_keeps_positive_rows_in_log_order()
    {
        var snapshot = new InteractionSnapshot(
            ["u1", "u2"],
            ["i1", "i2"],
            [EventTypes.View, EventTypes.Dislike],
            [0, 1, 1],
            [0, 1, 0],
            [0, 0, 1],
            [float.NaN, float.NaN, float.NaN],
            [10, 20, 30]);

        var (rows, _) = InteractionLoader.FromSnapshot(snapshot);

        Assert.Equal(2, rows.Count);
        Assert.Equal([10L, 20L], rows.TimestampMs);
    }
}
