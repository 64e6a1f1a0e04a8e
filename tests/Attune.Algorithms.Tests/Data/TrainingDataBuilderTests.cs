using Attune.Algorithms.Data;
using Attune.Core;

namespace Attune.Algorithms.Tests.Data;

public class TrainingDataBuilderTests
{
    private const long Day = 86_400_000L;

    private static InteractionSnapshot Snapshot(params (string User, string Item, string Type, float Value, long Time)[] rows)
    {
        var users = rows.Select(r => r.User).Distinct().ToArray();
        var items = rows.Select(r => r.Item).Distinct().ToArray();
        var types = rows.Select(r => r.Type).Distinct().ToArray();
        return new InteractionSnapshot(
            users,
            items,
            types,
            rows.Select(r => Array.IndexOf(users, r.User)).ToArray(),
            rows.Select(r => Array.IndexOf(items, r.Item)).ToArray(),
            rows.Select(r => (byte)Array.IndexOf(types, r.Type)).ToArray(),
            rows.Select(r => r.Value).ToArray(),
            rows.Select(r => r.Time).ToArray());
    }

    private static float Weight(TrainingData data, string user, string item)
    {
        var u = data.Users.IndexOf(user);
        var i = data.Items.IndexOf(item);
        var k = data.Matrix.ItemsOf(u).IndexOf(i);
        return k < 0 ? 0f : data.Matrix.WeightsOf(u)[k];
    }

    [Fact]
    public void Event_types_weigh_by_the_registry_and_repeats_add_up()
    {
        var snapshot = Snapshot(
            ("a", "x", EventTypes.View, float.NaN, 1),
            ("a", "x", EventTypes.Purchase, float.NaN, 2),
            ("a", "y", EventTypes.View, float.NaN, 3));

        var data = TrainingDataBuilder.FromSnapshot(snapshot);

        Assert.Equal(6f, Weight(data, "a", "x"));
        Assert.Equal(1f, Weight(data, "a", "y"));
    }

    [Fact]
    public void Max_aggregation_keeps_the_strongest_event()
    {
        var snapshot = Snapshot(
            ("a", "x", EventTypes.View, float.NaN, 1),
            ("a", "x", EventTypes.View, float.NaN, 2),
            ("a", "x", EventTypes.AddToCart, float.NaN, 3));

        var data = TrainingDataBuilder.FromSnapshot(snapshot, new TrainingDataOptions { Aggregation = DuplicateAggregation.Max });

        Assert.Equal(3f, Weight(data, "a", "x"));
    }

    [Fact]
    public void Pairs_whose_total_is_not_positive_are_dropped_but_stay_in_the_log()
    {
        var snapshot = Snapshot(
            ("a", "x", EventTypes.View, float.NaN, 1),
            ("a", "x", EventTypes.Dislike, float.NaN, 2),
            ("a", "y", EventTypes.Impression, float.NaN, 3),
            ("a", "z", EventTypes.Like, float.NaN, 4));

        var data = TrainingDataBuilder.FromSnapshot(snapshot);

        Assert.Equal([data.Items.IndexOf("z")], data.Matrix.ItemsOf(0).ToArray());
        Assert.Equal(4, data.Interactions!.Count);
        Assert.Equal(-3f, data.Interactions.Weight[1]);
        Assert.Equal(3, data.Items.Count);
    }

    [Fact]
    public void Rating_values_are_used_only_when_asked()
    {
        var snapshot = Snapshot(("a", "x", EventTypes.Rating, 4f, 1), ("a", "y", EventTypes.Rating, 1f, 2));

        var constant = TrainingDataBuilder.FromSnapshot(snapshot);
        var value = TrainingDataBuilder.FromSnapshot(snapshot, new TrainingDataOptions { RatingWeighting = RatingWeighting.Value });
        var centered = TrainingDataBuilder.FromSnapshot(snapshot, new TrainingDataOptions { RatingWeighting = RatingWeighting.Centered, RatingCenter = 3 });

        Assert.Equal(1f, Weight(constant, "a", "x"));
        Assert.Equal(1f, Weight(constant, "a", "y"));
        Assert.Equal(4f, Weight(value, "a", "x"));
        Assert.Equal(1f, Weight(centered, "a", "x"));
        Assert.Equal(0f, Weight(centered, "a", "y"));
    }

    [Fact]
    public void Time_decay_halves_the_weight_once_per_half_life()
    {
        var snapshot = Snapshot(
            ("a", "old", EventTypes.View, float.NaN, 0),
            ("a", "new", EventTypes.View, float.NaN, 10 * Day));

        var data = TrainingDataBuilder.FromSnapshot(snapshot, new TrainingDataOptions { HalfLifeDays = 5 });
        var anchored = TrainingDataBuilder.FromSnapshot(snapshot, new TrainingDataOptions { HalfLifeDays = 5, ReferenceTimeMs = 15 * Day });

        Assert.Equal(0.25f, Weight(data, "a", "old"), 5);
        Assert.Equal(1f, Weight(data, "a", "new"), 5);
        Assert.Equal(0.5f, Weight(anchored, "a", "new"), 5);
    }

    [Fact]
    public void Fixed_id_maps_give_two_splits_the_same_indices_and_every_item()
    {
        var users = new IdMap(["a", "b"]);
        var items = new IdMap(["x", "y", "only-in-test"]);
        var train = Snapshot(("b", "y", EventTypes.View, float.NaN, 1), ("a", "x", EventTypes.View, float.NaN, 2));
        var test = Snapshot(("a", "only-in-test", EventTypes.View, float.NaN, 3));

        var trainData = TrainingDataBuilder.FromSnapshot(train, users: users, items: items);
        var testData = TrainingDataBuilder.FromSnapshot(test, users: users, items: items);

        Assert.Equal(3, trainData.Matrix.Items);
        Assert.Equal(2, trainData.Matrix.Users);
        Assert.Equal(0, trainData.Matrix.ItemsOf(0)[0]);
        Assert.Equal(1, trainData.Matrix.ItemsOf(1)[0]);
        Assert.Equal(2, testData.Matrix.ItemsOf(0)[0]);
        Assert.Equal(0, trainData.Matrix.Transpose().Csr.RowLength(2));
    }

    [Fact]
    public void An_id_outside_the_fixed_universe_is_a_clear_error()
    {
        var snapshot = Snapshot(("a", "stranger", EventTypes.View, float.NaN, 1));

        var ex = Assert.Throws<ArgumentException>(() => TrainingDataBuilder.FromSnapshot(snapshot, items: new IdMap(["x"])));

        Assert.Contains("stranger", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_ids_outside_the_universe_are_fine_when_no_row_uses_them()
    {
        var snapshot = new InteractionSnapshot(["a", "ghost"], ["x"], [EventTypes.View], [0], [0], [0], [float.NaN], [1]);

        var data = TrainingDataBuilder.FromSnapshot(snapshot, users: new IdMap(["a"]), items: new IdMap(["x"]));

        Assert.Equal(1, data.Matrix.NonZeros);
    }

    [Fact]
    public void Plain_columns_are_ordered_by_time_with_ties_in_position_order()
    {
        var data = TrainingDataBuilder.FromColumns(2, 3, [0, 1, 0, 1], [2, 0, 1, 1], [1, 1, 1, 1], [30, 10, 30, 20]);

        var log = data.Interactions!;
        Assert.Equal([10L, 20, 30, 30], log.TimestampMs);
        Assert.Equal([0, 1, 2, 1], log.Item);
        Assert.Equal([1, 2], data.Matrix.ItemsOf(0).ToArray());
    }

    [Fact]
    public void Column_index_out_of_range_names_the_row()
    {
        var ex = Assert.Throws<ArgumentException>(() => TrainingDataBuilder.FromColumns(2, 2, [0, 1], [1, 5], [1, 1]));

        Assert.Contains("Row 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Item_features_must_cover_the_item_universe()
    {
        var features = new ItemFeatures(["t"], [null], [[]], [[]]);

        Assert.Throws<ArgumentException>(() => TrainingDataBuilder.FromColumns(1, 2, [0], [1], [1], itemFeatures: features));
    }

    [Fact]
    public void Log_can_be_left_out()
    {
        var data = TrainingDataBuilder.FromColumns(1, 1, [0], [0], [1], options: new TrainingDataOptions { KeepInteractionLog = false });

        Assert.Null(data.Interactions);
        Assert.Equal(1, data.Matrix.NonZeros);
    }

    [Fact]
    public void Options_string_lists_every_option()
    {
        var text = new TrainingDataOptions().ToString();

        foreach (var p in typeof(TrainingDataOptions).GetProperties())
        {
            Assert.Contains(char.ToLowerInvariant(p.Name[0]) + p.Name[1..] + "=", text, StringComparison.Ordinal);
        }
    }
}
