using Attune.Engine.Prediction;

namespace Attune.Server.Hosting;

/// <summary>
/// Rescores the configured predictors on a timer (<c>Attune:Prediction:ScheduleEnabled</c>, <c>ScheduleInterval</c>,
/// <c>ScheduledTasks</c>) and writes the scores back to profiles; retrains first when <c>RetrainOnSchedule</c> is set
/// or no predictor was trained yet. A failing task is logged and retried at the next tick.
/// </summary>
public sealed class PredictionScheduler(PredictionService predictions, TimeProvider time, ILogger<PredictionScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = predictions.Options;
        if (!options.ScheduleEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.ScheduleInterval, time);
        do
        {
            await RunOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One scheduled pass over every configured task.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var task in predictions.Options.ParsedScheduledTasks())
        {
            try
            {
                if (predictions.Options.RetrainOnSchedule || predictions.LatestReport(task) is null)
                {
                    var report = await predictions.TrainAsync(task, cancellationToken);
                    logger.LogInformation("Trained {Version}: {Model} AUC {Auc:F3}.", report.ModelVersion, report.ActiveModel, report.Active.Auc.Auc);
                }

                var run = await predictions.ScoreAsync(task, 0, cancellationToken);
                logger.LogInformation("Scored {Users} users with {Version}; {Written} written to profiles.", run.Users, run.ModelVersion, run.Written);
            }
            catch (PredictionException ex)
            {
                logger.LogWarning("Scheduled prediction {Task} skipped: {Reason}", task, ex.Message);
            }
        }
    }
}
