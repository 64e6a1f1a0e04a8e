using Attune.Evaluation.Running;
using Attune.Evaluation.Splits;
using Attune.TestSupport;

namespace Attune.Evaluation.Tests.Running;

/// <summary>
/// Checks the protocol against figures measured with numpy (docs REFERENCE): popularity on ML-100K,
/// stratified 75/25 with seed 42, all ratings as positives, gives NDCG@10 0.247, P@10 0.226, R@10 0.113.
/// Our shuffle is not numpy's, so the split differs in detail; the averages must still land close.
/// </summary>
public class ReferenceProtocolTests
{
    [DataFact("movielens-100k/u.data")]
    public void Popularity_on_ML100K_stratified_lands_near_the_numpy_reference()
    {
        var prepared = EvaluationInput.Prepare("movielens-100k", SharedData.Require("movielens-100k"), new SplitOptions(Protocol.Stratified, 0.75, 42));

        var report = ModelEvaluator.Evaluate(prepared.Dataset, prepared.Split, prepared.Protocol, ["popularity"], [10]);
        var m = report.Models[0].Metrics;

        // round(0.75 n) per user: 75,000 give or take the per-user rounding.
        Assert.InRange(report.TrainInteractions, 74_900, 75_100);
        Assert.Equal(943, report.EvaluatedUsers);
        Assert.Equal(1682, report.Items);
        Assert.InRange(m["ndcg@10"], 0.247 - 0.015, 0.247 + 0.015);
        Assert.InRange(m["precision@10"], 0.226 - 0.015, 0.226 + 0.015);
        Assert.InRange(m["recall@10"], 0.113 - 0.01, 0.113 + 0.01);
    }
}
