using Attune.Evaluation.Data;
using Attune.Evaluation.Splits;

namespace Attune.Evaluation.Tests.Splits;

public class SplitterTests
{
    /// <summary>User u (0-based) has u + 1 rows, items 0..u, times 1..u+1.</summary>
    private static Interactions Staircase(int users)
    {
        var rows = new List<(int, int, long)>();
        for (var u = 0; u < users; u++)
        {
            for (var i = 0; i <= u; i++)
            {
                rows.Add((u, i, i + 1));
            }
        }

        return TestRows.Make(TestRows.Ids(users, "u"), TestRows.Ids(users, "i"), [.. rows]);
    }

    [Fact]
    public void Stratified_keeps_round_of_three_quarters_of_each_user_half_to_even()
    {
        var rows = Staircase(12);

        var (train, _) = Splitter.Stratified(rows, 0.75, 42);

        // n -> round(0.75 n), half to even as Python's round: 1->1 (0.75), 2->2 (1.5), 3->2 (2.25), 4->3,
        // 5->4 (3.75), 6->4 (4.5), 7->5 (5.25), 8->6, 9->7 (6.75), 10->8 (7.5), 11->8 (8.25), 12->9.
        int[] expected = [1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 8, 9];
        var perUser = new int[12];
        foreach (var r in train)
        {
            perUser[rows.User[r]]++;
        }

        Assert.Equal(expected, perUser);
    }

    [Fact]
    public void Stratified_is_a_partition_of_the_rows()
    {
        var rows = Staircase(10);

        var (train, test) = Splitter.Stratified(rows, 0.75, 1);

        Assert.Equal(rows.Count, train.Length + test.Length);
        Assert.Empty(train.Intersect(test));
    }

    [Fact]
    public void Stratified_with_the_same_seed_is_the_same_split()
    {
        var rows = Staircase(20);

        var a = Splitter.Stratified(rows, 0.75, 42);
        var b = Splitter.Stratified(rows, 0.75, 42);

        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
    }

    [Fact]
    public void Stratified_with_another_seed_holds_out_other_rows()
    {
        var rows = Staircase(20);

        var a = Splitter.Stratified(rows, 0.75, 42);
        var b = Splitter.Stratified(rows, 0.75, 43);

        Assert.NotEqual(a.Test, b.Test);
        Assert.Equal(a.Test.Length, b.Test.Length);
    }

    [Fact]
    public void Leave_last_out_holds_out_the_latest_row_and_breaks_time_ties_by_file_order()
    {
        var users = TestRows.Ids(3, "u");
        var items = TestRows.Ids(6, "i");

        // User 0: times 10, 30, 20, 30 -> rows 1 and 3 tie at 30; row 3 comes later in the file and is held out.
        // User 1: a single row, kept for training. User 2: times 5, 2 -> row 5 (time 5) is the last.
        var rows = TestRows.Make(users, items, (0, 0, 10), (0, 1, 30), (0, 2, 20), (0, 3, 30), (1, 0, 7), (2, 4, 5), (2, 5, 2));

        var (train, test) = Splitter.LeaveLastOut(rows);

        Assert.Equal([3, 5], test);
        Assert.Equal([0, 1, 2, 4, 6], train);
    }

    [Fact]
    public void Temporal_trains_on_the_earliest_rows_of_all_users_with_ties_by_file_order()
    {
        var users = TestRows.Ids(2, "u");
        var items = TestRows.Ids(6, "i");

        // Times in file order: 50, 10, 30, 30, 20, 60. Sorted: row1(10), row4(20), row2(30), row3(30), row0(50), row5(60).
        // round(0.5 * 6) = 3 rows train: 1, 4, 2.
        var rows = TestRows.Make(users, items, (0, 0, 50), (0, 1, 10), (1, 2, 30), (1, 3, 30), (0, 4, 20), (1, 5, 60));

        var (train, test) = Splitter.Temporal(rows, 0.5);

        Assert.Equal([1, 2, 4], train);
        Assert.Equal([0, 3, 5], test);
    }

    [Fact]
    public void Temporal_split_evaluates_only_users_with_training_items()
    {
        var users = TestRows.Ids(2, "u");
        var items = TestRows.Ids(4, "i");

        // User 1 only acts after the cut, so it has test items but nothing to learn from.
        var rows = TestRows.Make(users, items, (0, 0, 1), (0, 1, 2), (0, 2, 3), (1, 3, 4));

        var split = Splitter.Split(rows, new SplitOptions(Protocol.Temporal, 0.5));

        Assert.Equal([0], split.EvaluatedUsers);
        Assert.Equal([2], split.TestItems[0]);
        Assert.Equal([3], split.TestItems[1]);
    }

    [Fact]
    public void A_test_item_the_user_already_has_in_training_is_not_relevant()
    {
        var users = TestRows.Ids(1, "u");
        var items = TestRows.Ids(3, "i");
        var train = TestRows.Make(users, items, (0, 0, 1), (0, 1, 2));
        var test = TestRows.Make(users, items, (0, 1, 3), (0, 2, 4), (0, 2, 5));

        var split = new EvaluationSplit(train, test);

        Assert.Equal([2], split.TestItems[0]);
    }

    [Fact]
    public void Train_and_test_share_one_item_universe()
    {
        var rows = Staircase(8);

        var split = Splitter.Split(rows, new SplitOptions(Protocol.Stratified, 0.75, 42));

        Assert.Equal(8, split.TrainingData.Items.Count);
        Assert.Equal(8, split.TrainingData.Matrix.Items);
        Assert.Same(rows.Items, split.Test.Items);
    }

    [Fact]
    public void An_out_of_range_ratio_is_a_clear_error()
    {
        var e = Assert.Throws<EvaluationException>(() => Splitter.Split(Staircase(3), new SplitOptions(Protocol.Stratified, 1.5)));
        Assert.Contains("--ratio", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_protocol_names_the_known_ones()
    {
        var e = Assert.Throws<EvaluationException>(() => Protocols.Parse("kfold"));
        Assert.Contains("leave-last-out", e.Message, StringComparison.Ordinal);
    }
}
