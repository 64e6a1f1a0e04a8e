using Attune.Datasets.Synthetic;
using Attune.Engine.Options;
using Attune.Engine.Prediction;
using Xunit.Abstractions;

namespace Attune.Engine.Tests.Prediction;

public sealed class PlantedIntentTests(ITestOutputHelper output)
{
    /// <summary>A shop where next-day purchases mostly come from planted research episodes (regular sessions rarely buy).</summary>
    public static SyntheticShop Shop(int users = 6_000, int events = 90_000) => SyntheticShop.Generate(new SyntheticShopOptions(
        Users: users, Items: 2_000, Events: events, Days: 21, PurchaseRate: 0.05, PurchaseIntent: 0.03, Seed: 11));

    [Fact]
    public void Boosted_trees_recover_the_purchase_intent_planted_in_the_synthetic_shop()
    {
        var shop = Shop();
        var log = BehaviorLog.FromEvents(shop.Events(), shop.Items);

        var trained = PredictorTrainer.Train(
            log, new PredictionTask(PredictionTaskKind.Purchase, 1), new PredictionOptions { TrainingCutoffs = 6 }, 1, DateTimeOffset.UnixEpoch);

        var gbdt = trained.Report.Models.Single(m => m.Model == "gbdt");
        var logistic = trained.Report.Models.Single(m => m.Model == "logistic");
        output.WriteLine($"train {trained.Report.TrainRows} rows ({trained.Report.TrainPositives} buyers), test {trained.Report.TestRows} ({trained.Report.TestPositives})");
        output.WriteLine($"gbdt AUC {gbdt.Auc}, logistic AUC {logistic.Auc}, test cutoff {trained.Report.TestCutoff:u}");
        output.WriteLine("gbdt top features: " + string.Join(", ", gbdt.Importances.Take(5).Select(f => $"{f.Feature} {f.Importance:F2}")));
        Assert.True(gbdt.Auc.Auc >= 0.85, $"GBDT AUC {gbdt.Auc}");
    }
}
