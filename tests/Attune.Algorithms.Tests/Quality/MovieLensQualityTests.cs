using Attune.Algorithms.Factorization;
using Attune.Algorithms.Linear;
using Attune.TestSupport;

namespace Attune.Algorithms.Tests.Quality;

/// <summary>Quality floors on the public MovieLens splits, against the figures in docs/REFERENCE (skipped without the data).</summary>
public class MovieLensQualityTests
{
    private const string Train = "movielens-1m/implicit-colakg/train.txt";
    private const string Test = "movielens-1m/implicit-colakg/test.txt";

    [DataFact(Train, Test)]
    public void Als_reaches_the_implicit_library_ndcg_on_ml1m()
    {
        var (train, test) = RankingCheck.LoadColakg(SharedData.Require(Train), SharedData.Require(Test));

        var model = AlsTrainer.Train(train, new AlsOptions { Factors = 64, Iterations = 15 });

        var ndcg = RankingCheck.NdcgAt10(model, train, test);
        Assert.True(ndcg >= 0.382, $"ALS NDCG@10 {ndcg:F4} is below implicit 0.7.3's 0.382");
    }

    [DataFact(Train, Test)]
    public void Ease_matches_the_numpy_reference_on_ml1m()
    {
        var (train, test) = RankingCheck.LoadColakg(SharedData.Require(Train), SharedData.Require(Test));

        var model = EaseTrainer.Train(train, new EaseOptions { Lambda = 500 });

        var ndcg = RankingCheck.NdcgAt10(model, train, test);
        Assert.Equal(0.427, ndcg, 0.0015);
    }

    [DataFact("movielens-100k/u.data")]
    public void Bpr_defaults_reach_the_published_cornac_ndcg_on_ml100k()
    {
        var (train, test) = RankingCheck.StratifiedMl100k(SharedData.Require("movielens-100k/u.data"), seed: 42);

        var model = BprTrainer.Train(train, new BprOptions());

        var ndcg = RankingCheck.NdcgAt10(model, train, test);
        Assert.True(ndcg >= 0.44, $"BPR NDCG@10 {ndcg:F4} is below the published cornac BPR 0.442");
    }
}
