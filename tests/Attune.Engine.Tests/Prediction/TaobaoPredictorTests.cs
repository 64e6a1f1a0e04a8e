using Attune.Algorithms.Prediction;
using Attune.Engine.Options;
using Attune.Engine.Prediction;
using Attune.TestSupport;
using Xunit.Abstractions;

namespace Attune.Engine.Tests.Prediction;

/// <summary>The engine's purchase predictor on the real Taobao sample (read in place, never copied).</summary>
public sealed class TaobaoPredictorTests(ITestOutputHelper output)
{
    private const string File = "taobao-userbehavior-sample/UserBehavior-first814users.csv";

    [DataFact(File)]
    public void Next_day_purchase_tested_on_the_last_day_of_the_sample_reaches_AUC_0_60()
    {
        var log = BehaviorLog.FromBehavior(BehaviorEventCsv.ReadFile(SharedData.Require(File)));

        var trained = PredictorTrainer.Train(
            log, new PredictionTask(PredictionTaskKind.Purchase, 1), new PredictionOptions { UtcOffsetHours = 8 }, 1, DateTimeOffset.UnixEpoch);

        var report = trained.Report;
        foreach (var m in report.Models)
        {
            output.WriteLine($"{m.Model}: AUC {m.Auc} log-loss {m.LogLoss:F4}");
        }

        // The sample ends on 2017-12-03 (China time): the day after the training days is that last day.
        Assert.Equal(new DateTimeOffset(2017, 12, 3, 0, 0, 0, TimeSpan.FromHours(8)), report.TestCutoff);
        Assert.Equal(814, report.TestRows);
        var logistic = report.Models.Single(m => m.Model == "logistic").Auc;
        Assert.True(logistic.Auc >= 0.60, $"logistic regression AUC {logistic}");
        Assert.True(logistic.Lower < logistic.Auc && logistic.Auc < logistic.Upper);
    }
}
