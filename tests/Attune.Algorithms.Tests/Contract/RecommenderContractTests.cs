using Attune.Algorithms.Abstractions;
using Attune.Algorithms.Data;
using Attune.Algorithms.Serialization;

namespace Attune.Algorithms.Tests.Contract;

/// <summary>
/// The contract every recommender passes. A model's test class derives from this and says how to fit it.
/// </summary>
public abstract class RecommenderContractTests
{
    private readonly Lazy<(TrainingData Data, IRecommender Model)> _fitted;

    protected RecommenderContractTests()
    {
        _fitted = new Lazy<(TrainingData, IRecommender)>(() =>
        {
            var data = BlockData.Create();
            return (data, Fit(data, seed: 42));
        });
    }

    protected TrainingData Data => _fitted.Value.Data;

    protected IRecommender Model => _fitted.Value.Model;

    /// <summary>False for non-personalized models (popularity), which are held to a different known answer.</summary>
    protected virtual bool IsPersonalized => true;

    /// <summary>Share of each user's top-5 that must come from their own block.</summary>
    protected virtual double RequiredOwnBlockShare => 0.9;

    protected abstract IRecommender Fit(TrainingData data, int seed);

    [Fact]
    public void Names_its_algorithm_and_every_option()
    {
        Assert.False(string.IsNullOrWhiteSpace(Model.Algorithm));
        Assert.Contains("=", Model.Options, StringComparison.Ordinal);
        Assert.Equal(Data.Users.Count, Model.UserCount);
        Assert.Equal(Data.Items.Count, Model.ItemCount);
    }

    [Fact]
    public void Scores_are_finite_for_every_known_user()
    {
        var scores = new float[Model.ItemCount];
        for (var u = 0; u < Model.UserCount; u++)
        {
            Assert.True(Model.TryScore(u, scores), $"user {u} should be known");
            foreach (var s in scores)
            {
                Assert.True(float.IsFinite(s), $"user {u} got a non-finite score {s}");
            }
        }
    }

    [Fact]
    public void Unknown_user_is_reported_not_guessed()
    {
        var scores = new float[Model.ItemCount];
        Assert.False(Model.TryScore(Model.UserCount, scores));
        Assert.False(Model.TryScore(-1, scores));
    }

    [Fact]
    public void Recommends_own_block_items_never_seen_items()
    {
        var own = 0;
        var total = 0;
        for (var u = 0; u < Data.Users.Count; u++)
        {
            var seen = Data.Matrix.ItemsOf(u);
            var recs = Model.Recommend(u, 5, seen);
            Assert.NotEmpty(recs);
            foreach (var r in recs)
            {
                Assert.False(seen.Contains(r.Item), $"user {u} was recommended seen item {r.Item}");
                total++;
                if (BlockData.BlockOfItem(r.Item) == BlockData.BlockOfUser(u))
                {
                    own++;
                }
            }
        }

        var share = own / (double)total;
        if (IsPersonalized)
        {
            Assert.True(share >= RequiredOwnBlockShare, $"only {share:P1} of recommendations came from the user's own block");
        }
    }

    [Fact]
    public void Recommendations_are_sorted_best_first()
    {
        var recs = Model.Recommend(0, 10, Data.Matrix.ItemsOf(0));
        for (var i = 1; i < recs.Length; i++)
        {
            Assert.True(recs[i - 1].Score >= recs[i].Score);
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_model()
    {
        var again = Fit(Data, seed: 42);
        var a = new float[Model.ItemCount];
        var b = new float[Model.ItemCount];
        for (var u = 0; u < Model.UserCount; u += 7)
        {
            Model.TryScore(u, a);
            again.TryScore(u, b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Saved_model_loads_and_scores_identically()
    {
        if (Model is not IPersistableModel)
        {
            Assert.Fail($"{Model.Algorithm} does not implement IPersistableModel; every model must be serializable.");
        }

        using var ms = new MemoryStream();
        ModelFile.Write(ms, Model);
        ms.Position = 0;
        var loaded = ModelFile.Read(ms);
        Assert.Equal(Model.Algorithm, loaded.Algorithm);
        var a = new float[Model.ItemCount];
        var b = new float[Model.ItemCount];
        for (var u = 0; u < Model.UserCount; u += 5)
        {
            Assert.Equal(Model.TryScore(u, a), loaded.TryScore(u, b));
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Corrupted_model_file_is_refused()
    {
        using var ms = new MemoryStream();
        ModelFile.Write(ms, Model);
        var bytes = ms.ToArray();
        bytes[bytes.Length / 2] ^= 0x5A;
        var ex = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(bytes)));
        Assert.Contains("checksum", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Fold_in_of_a_new_history_favours_its_block()
    {
        if (Model is not IFoldIn foldIn)
        {
            return;
        }

        // A brand-new user who touched five items of block 1.
        int[] history = [30, 31, 32, 33, 34];
        float[] weights = [1, 1, 1, 1, 1];
        var scores = new float[Model.ItemCount];
        foldIn.ScoreHistory(history, weights, scores);
        var top = RecommenderExtensions.TopOf(scores, 5, history);
        Assert.True(top.Count(r => BlockData.BlockOfItem(r.Item) == 1) >= 4, "fold-in ignored the history");
    }

    [Fact]
    public void Similar_items_come_from_the_same_block_and_exclude_the_item()
    {
        if (Model is not ISimilarItems similar)
        {
            return;
        }

        foreach (var item in new[] { 0, 3, 31, 40 })
        {
            var sims = similar.SimilarItems(item, 5);
            Assert.NotEmpty(sims);
            Assert.DoesNotContain(sims, s => s.Item == item);
            Assert.True(sims.Count(s => BlockData.BlockOfItem(s.Item) == BlockData.BlockOfItem(item)) >= 4);
        }
    }
}
