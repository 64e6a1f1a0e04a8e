using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Popularity;
using Attune.Algorithms.Serialization;
using Attune.Algorithms.Tests.Contract;

namespace Attune.Algorithms.Tests.Popularity;

public class PopularityContractTests : RecommenderContractTests
{
    protected override bool IsPersonalized => false;

    protected override IRecommender Fit(TrainingData data, int seed) => new PopularityTrainer().Fit(data, new PopularityOptions());

    [Fact]
    public void Every_user_gets_the_most_interacted_items_first()
    {
        var counts = new int[Data.Items.Count];
        foreach (var i in Data.Matrix.Csr.ColumnIndex)
        {
            counts[i]++;
        }

        var expected = Enumerable.Range(0, counts.Length).OrderByDescending(i => counts[i]).ThenBy(i => i).Take(3).ToArray();
        foreach (var u in new[] { 0, 45, 79 })
        {
            Assert.Equal(expected, Model.Recommend(u, 3).Select(r => r.Item).ToArray());
        }
    }
}

public class TrendingContractTests : RecommenderContractTests
{
    protected override bool IsPersonalized => false;

    protected override IRecommender Fit(TrainingData data, int seed) => new TrendingTrainer().Fit(data, new TrendingOptions { HalfLifeDays = 1 });
}

public class PopularityTests
{
    private const long Day = 86_400_000L;

    // Item 0: three old interactions. Item 1: two recent ones. Item 2: one purchase-weight interaction.
    private static TrainingData Data(ItemFeatures? features = null) => TrainingDataBuilder.FromColumns(
        4,
        3,
        [0, 1, 2, 0, 1, 3],
        [0, 0, 0, 1, 1, 2],
        [1, 1, 1, 1, 1, 5],
        [0, 0, 0, 30 * Day, 30 * Day, 0],
        itemFeatures: features);

    [Fact]
    public void Weighted_popularity_sums_weights_and_unweighted_counts_users()
    {
        var weighted = (PopularityModel)new PopularityTrainer().Fit(Data(), new PopularityOptions());
        var counted = (PopularityModel)new PopularityTrainer().Fit(Data(), new PopularityOptions { Weighted = false });

        Assert.Equal([3f, 2f, 5f], weighted.Scores.ToArray());
        Assert.Equal([3f, 2f, 1f], counted.Scores.ToArray());
    }

    [Fact]
    public void Trending_prefers_recent_interactions_over_old_ones()
    {
        var model = new TrendingTrainer().Fit(Data(), new TrendingOptions { HalfLifeDays = 7, Weighted = false });

        var top = model.Recommend(0, 3);

        Assert.Equal(1, top[0].Item);
        Assert.Equal(2f, top[0].Score, 4);
        Assert.Equal(3 * MathF.Pow(2, -30f / 7), model.Recommend(0, 3).First(r => r.Item == 0).Score, 4);
    }

    [Fact]
    public void Trending_without_the_log_says_what_is_missing()
    {
        var data = TrainingDataBuilder.FromColumns(1, 1, [0], [0], [1], options: new TrainingDataOptions { KeepInteractionLog = false });

        var ex = Assert.Throws<ArgumentException>(() => new TrendingTrainer().Fit(data, new TrendingOptions()));

        Assert.Contains("interaction log", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Popular_in_a_category_ranks_only_that_category()
    {
        var features = new ItemFeatures([null, null, null], [null, null, null], [["a"], ["b"], ["a", "b"]], [[], [], []]);
        var model = (PopularityModel)new PopularityTrainer().Fit(Data(features), new PopularityOptions { Weighted = false });

        Assert.Equal([0, 2], model.Popular("a", 5).Select(r => r.Item).ToArray());
        Assert.Equal([1, 2], model.Popular("b", 5).Select(r => r.Item).ToArray());
        Assert.Empty(model.Popular("c", 5));
    }

    [Fact]
    public void Categories_survive_a_save_and_load()
    {
        var features = new ItemFeatures([null, null, null], [null, null, null], [["a"], ["b"], ["a", "b"]], [[], [], []]);
        var model = (PopularityModel)new PopularityTrainer().Fit(Data(features), new PopularityOptions());
        using var ms = new MemoryStream();

        ModelFile.Write(ms, model);
        ms.Position = 0;
        var loaded = (PopularityModel)ModelFile.Read(ms);

        Assert.Equal(model.Popular("a", 5), loaded.Popular("a", 5));
        Assert.Equal("popularity", loaded.Algorithm);
    }

    [Fact]
    public void Registry_knows_both_names()
    {
        Assert.Equal("popularity", AlgorithmRegistry.Get("popularity").Name);
        var (_, options) = AlgorithmRegistry.Parse("trending:halfLifeDays=3");
        Assert.Equal(3, Assert.IsType<TrendingOptions>(options).HalfLifeDays);
    }
}
