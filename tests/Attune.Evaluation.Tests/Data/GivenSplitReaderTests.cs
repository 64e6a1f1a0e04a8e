using Attune.Evaluation.Data;
using Attune.Evaluation.Splits;
using Attune.TestSupport;

namespace Attune.Evaluation.Tests.Data;

public class GivenSplitReaderTests
{
    [Fact]
    public void Reads_one_line_per_user_into_rows_over_a_shared_universe()
    {
        const string train = "0 1 2\n1 0\n2 3 1 0\n";
        const string test = "0 4\n1 2 3\n2\n";

        var (tr, te) = GivenSplitReader.Parse(train, test);

        Assert.Equal(6, tr.Count);
        Assert.Equal(3, te.Count);
        Assert.Equal(3, tr.UserCount);

        // Item 4 appears only in the test file, yet it is part of the universe the model ranks.
        Assert.Equal(5, tr.ItemCount);
        Assert.Same(tr.Items, te.Items);
        // Indices are the files' own: user "2" is index 2, item "3" is index 3.
        Assert.Equal([0, 0, 1, 2, 2, 2], tr.User);
        Assert.Equal([1, 2, 0, 3, 1, 0], tr.Item);
        Assert.Equal([4, 2, 3], te.Item);
    }

    [Fact]
    public void Keeps_file_order_within_a_line()
    {
        var (tr, _) = GivenSplitReader.Parse("0 5 3 4\n", "0 1\n");

        Assert.Equal([5, 3, 4], tr.Item);
        Assert.Equal("5", tr.Items[5]);
    }

    [Fact]
    public void A_user_with_no_test_items_is_not_evaluated()
    {
        var (tr, te) = GivenSplitReader.Parse("0 1 2\n1 0\n", "0 3\n1\n");

        var split = new EvaluationSplit(tr, te);

        Assert.Equal([0], split.EvaluatedUsers);
    }

    [Fact]
    public void A_bad_index_names_the_file_and_line()
    {
        var e = Assert.Throws<EvaluationException>(() => GivenSplitReader.Parse("0 1\n1 x\n", "0 2\n"));
        Assert.Contains("train line 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_folder_is_a_clear_error()
    {
        var e = Assert.Throws<EvaluationException>(() => GivenSplitReader.ReadFolder("/nonexistent/colakg"));
        Assert.Contains("/nonexistent/colakg", e.Message, StringComparison.Ordinal);
    }

    [DataFact("movielens-1m/implicit-colakg/train.txt", "movielens-1m/implicit-colakg/test.txt")]
    public void Reads_the_colakg_files_with_their_published_counts()
    {
        var (train, test) = GivenSplitReader.ReadFolder(SharedData.Require("movielens-1m/implicit-colakg"));

        Assert.Equal(6040, train.UserCount);
        Assert.Equal(3260, train.ItemCount);
        Assert.Equal(801_218, train.Count);
        Assert.Equal(197_321, test.Count);
        var split = new EvaluationSplit(train, test);
        Assert.Equal(6040, split.EvaluatedUsers.Length);
        Assert.Equal(197_321, split.TestInteractionCount);
    }
}
