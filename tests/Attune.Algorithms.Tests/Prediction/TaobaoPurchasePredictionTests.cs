using System.Globalization;
using Attune.Algorithms.Prediction;
using Attune.TestSupport;
using Xunit.Abstractions;

namespace Attune.Algorithms.Tests.Prediction;

/// <summary>Next-day purchase prediction on the real Taobao sample (read in place, never copied).</summary>
public sealed class TaobaoPurchasePredictionTests(ITestOutputHelper output)
{
    private const string File = "taobao-userbehavior-sample/UserBehavior-first814users.csv";

    private static readonly Lazy<BehaviorHistory> History = new(() => new BehaviorHistory(BehaviorEventCsv.ReadFile(SharedData.Require(File))));

    [DataFact(File)]
    public void The_parser_reads_every_row_of_the_sample()
    {
        var events = BehaviorEventCsv.ReadFile(SharedData.Require(File));

        Assert.Equal(84_287, events.Count);
        Assert.Equal(814, events.Select(e => e.UserId).Distinct().Count());
        Assert.Equal(1_749, events.Count(e => e.Type == BehaviorType.Purchase));
    }

    [DataFact(File)]
    public void Logistic_regression_on_the_last_day_reaches_AUC_0_60()
    {
        var report = NextDayPurchaseExperiment.Run(History.Value, new DateOnly(2017, 12, 3), new NextDayPurchaseOptions(TrainingDays: 6));
        Print(report);

        var logistic = report.Models.Single(m => m.Model == "logistic regression");
        Assert.True(logistic.Auc.Auc >= 0.60, $"logistic regression AUC {logistic.Auc}");
        Assert.True(logistic.Auc.Lower < logistic.Auc.Auc && logistic.Auc.Auc < logistic.Auc.Upper);
    }

    [DataFact(File)]
    public void Explore()
    {
        string[] basic = ["views", "carts", "favorites", "purchases", "views_1d", "carts_1d", "favorites_1d", "purchases_1d", "hours_since_last_event"];
        foreach (var (days, set) in new[] { (1, basic), (1, null), (3, basic), (6, basic) })
        {
            foreach (var day in new[] { new DateOnly(2017, 12, 2), new DateOnly(2017, 12, 3) })
            {
                var report = NextDayPurchaseExperiment.Run(History.Value, day, new NextDayPurchaseOptions(TrainingDays: days, Features: set));
                output.WriteLine($"days={days} basic={set is not null}");
                Print(report);
            }
        }
    }

    private void Print(NextDayPurchaseReport report)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test day {report.TestDay:yyyy-MM-dd}: train {report.TrainRows} rows ({report.TrainPositives} buyers), test {report.TestRows} rows ({report.TestPositives} buyers)"));
        foreach (var m in report.Models)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {m.Model,-20} AUC {m.Auc}  log-loss {m.LogLoss:F4}"));
        }
    }
}
