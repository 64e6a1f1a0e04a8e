using Attune.Cli.Evaluation;
using Attune.Evaluation;

namespace Attune.Cli.Tests;

public class EvaluationArgumentsTests
{
    [Fact]
    public void Models_split_on_commas_and_keep_option_lists_together()
    {
        Assert.Equal(["ease", "als:factors=64,iterations=15", "item-knn"], EvaluationArguments.ParseModels("ease,als:factors=64,iterations=15,item-knn"));
    }

    [Fact]
    public void Models_split_on_semicolons_start_a_new_spec()
    {
        Assert.Equal(["ease", "item-knn:neighbors=50"], EvaluationArguments.ParseModels("ease; item-knn:neighbors=50"));
    }

    [Fact]
    public void Lists_in_parentheses_stay_inside_their_spec()
    {
        Assert.Equal(
            ["hybrid:components=(ease:lambda=500; item-knn),weights=(0.7; 0.3)", "als:factors=32"],
            EvaluationArguments.ParseModels("hybrid:components=(ease:lambda=500; item-knn),weights=(0.7; 0.3),als:factors=32"));
    }

    [Fact]
    public void Unbalanced_parentheses_are_a_clear_error()
    {
        Assert.Throws<EvaluationException>(() => EvaluationArguments.ParseModels("hybrid:components=(ease; als"));
    }

    [Fact]
    public void Cut_offs_parse_and_deduplicate()
    {
        Assert.Equal([10, 20], EvaluationArguments.ParseKs("10, 20,10"));
        Assert.Throws<EvaluationException>(() => EvaluationArguments.ParseKs("0"));
    }
}
