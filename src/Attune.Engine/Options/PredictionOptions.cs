using System.Globalization;
using Attune.Engine.Prediction;

namespace Attune.Engine.Options;

/// <summary>Behaviour prediction: how predictors are trained and when scores are written back to profiles.</summary>
public sealed record PredictionOptions
{
    /// <summary>Stacked training cutoffs (one a day) before the test cutoff.</summary>
    public int TrainingCutoffs { get; init; } = 6;

    /// <summary>Days start at midnight in this offset from UTC (8 for China time); cutoffs fall on day starts.</summary>
    public int UtcOffsetHours { get; init; }

    /// <summary>Items per user scored for item-level propensity: the most recently touched ones.</summary>
    public int PropensityCandidates { get; init; } = 20;

    /// <summary>Rescore and write back to profiles on a timer.</summary>
    public bool ScheduleEnabled { get; init; }

    /// <summary>Time between scheduled scoring runs.</summary>
    public TimeSpan ScheduleInterval { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Also retrain before each scheduled scoring run (otherwise the latest trained predictor scores).</summary>
    public bool RetrainOnSchedule { get; init; }

    /// <summary>The predictors the schedule scores, each <c>task:days</c> (e.g. <c>purchase:7</c>).</summary>
    public IReadOnlyList<string> ScheduledTasks { get; init; } = ["purchase:7", "churn:30"];

    /// <summary>The scheduled tasks parsed; call after <see cref="Validate"/> reported no error.</summary>
    public IReadOnlyList<PredictionTask> ParsedScheduledTasks() =>
        [.. ScheduledTasks.Select(s => Parse(s, out var t) is null ? t : throw new InvalidOperationException(s))];

    public void Validate(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (TrainingCutoffs is < 1 or > 365)
        {
            errors.Add($"Attune:Prediction:TrainingCutoffs must be between 1 and 365 (got {TrainingCutoffs}).");
        }

        if (UtcOffsetHours is < -12 or > 14)
        {
            errors.Add($"Attune:Prediction:UtcOffsetHours must be between -12 and 14 (got {UtcOffsetHours}).");
        }

        if (PropensityCandidates is < 1 or > 1000)
        {
            errors.Add($"Attune:Prediction:PropensityCandidates must be between 1 and 1000 (got {PropensityCandidates}).");
        }

        if (ScheduleInterval < TimeSpan.FromMinutes(1))
        {
            errors.Add($"Attune:Prediction:ScheduleInterval must be at least 00:01:00 (got {ScheduleInterval}).");
        }

        for (var i = 0; i < ScheduledTasks.Count; i++)
        {
            if (Parse(ScheduledTasks[i], out _) is { } error)
            {
                errors.Add($"Attune:Prediction:ScheduledTasks:{i}: {error}");
            }
        }
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"PredictionOptions {{ TrainingCutoffs = {TrainingCutoffs}, UtcOffsetHours = {UtcOffsetHours}, PropensityCandidates = {PropensityCandidates}, " +
        $"ScheduleEnabled = {ScheduleEnabled}, ScheduleInterval = {ScheduleInterval}, RetrainOnSchedule = {RetrainOnSchedule}, " +
        $"ScheduledTasks = [{string.Join(", ", ScheduledTasks)}] }}");

    private static string? Parse(string? text, out PredictionTask task)
    {
        task = default;
        var parts = (text ?? string.Empty).Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var days))
        {
            return $"'{text}' is not task:days (e.g. purchase:7).";
        }

        return PredictionTask.TryCreate(parts[0], days, out task);
    }
}
