using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Content;
using Attune.Algorithms.Data;
using Attune.Algorithms.Tests.Contract;

namespace Attune.Algorithms.Tests.Content;

public class ContentContractTests : RecommenderContractTests
{
    protected override IRecommender Fit(TrainingData data, int seed) => new ContentTrainer().Fit(data, new ContentOptions());
}

public class ContentTests
{
    private static TrainingData Catalog()
    {
        var features = new ItemFeatures(
            ["Trail running shoes", "Mountain hiking boots", "Espresso machine", "Coffee grinder"],
            ["Light shoes for the mountain trail", "Waterproof boots for alpine hiking", "Brews espresso and coffee", "Grinds coffee beans"],
            [["Outdoor"], ["Outdoor"], ["Kitchen"], ["Kitchen"]],
            [["running"], ["hiking"], ["coffee"], ["coffee"]]);
        return TrainingDataBuilder.FromColumns(2, 4, [0, 1], [0, 2], [1, 1], itemFeatures: features);
    }

    [Fact]
    public void Tokenizer_lower_cases_splits_and_drops_stop_words()
    {
        Assert.Equal(["trail", "running", "shoes", "2024"], Tokenizer.Words("The Trail-Running shoes, of 2024!").ToArray());
        Assert.Equal("cat:sci-fi", Tokenizer.Whole(Tokenizer.CategoryPrefix, " Sci-Fi "));
    }

    [Fact]
    public void Item_vectors_are_unit_length()
    {
        var model = (ContentModel)new ContentTrainer().Fit(Catalog(), new ContentOptions { MaxDocumentShare = 1 });

        var (_, values) = model.Vectorize(new ItemContent("Trail boots", "alpine", ["Outdoor"], []));

        Assert.Equal(1f, MathF.Sqrt(values.Sum(v => v * v)), 5);
    }

    [Fact]
    public void A_user_gets_items_of_the_same_kind_as_their_history()
    {
        var model = new ContentTrainer().Fit(Catalog(), new ContentOptions());

        var outdoor = model.Recommend(0, 1, [0]);
        var kitchen = model.Recommend(1, 1, [2]);

        Assert.Equal(1, outdoor[0].Item);
        Assert.Equal(3, kitchen[0].Item);
    }

    [Fact]
    public void A_brand_new_item_is_scored_from_its_content()
    {
        var model = (ContentModel)new ContentTrainer().Fit(Catalog(), new ContentOptions());
        var newBoots = new ItemContent("Alpine trail boots", "For hiking the mountain", ["Outdoor"], ["hiking"]);

        Assert.True(model.ScoreContent(0, newBoots, out var forHiker));
        Assert.True(model.ScoreContent(1, newBoots, out var forCoffeeLover));
        Assert.True(forHiker > forCoffeeLover);
        Assert.Equal(1, model.SimilarToContent(newBoots, 1)[0].Item);
    }

    [Fact]
    public void Without_item_features_the_model_says_so()
    {
        var data = TrainingDataBuilder.FromColumns(1, 1, [0], [0], [1]);

        var ex = Assert.Throws<ArgumentException>(() => new ContentTrainer().Fit(data, new ContentOptions()));

        Assert.Contains("item features", ex.Message, StringComparison.Ordinal);
    }
}
