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
    public void Models_split_on_semicolons_take_each_spec_whole()
    {
        Assert.Equal(["hybrid:a=1,b=2", "ease"], EvaluationArguments.ParseModels("hybrid:a=1,b=2; ease"));
    }

    [Fact]
    public void Cut_offs_parse_and_deduplicate()
    {
        Assert.Equal([10, 20], EvaluationArguments.ParseKs("10, 20,10"));
        Assert.Throws<EvaluationException>(() => EvaluationArguments.ParseKs("0"));
    }
}
