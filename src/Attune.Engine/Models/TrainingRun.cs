namespace Attune.Engine.Models;

/// <summary>What asked for a training run, and optionally which main algorithm to train instead of the configured one.</summary>
/// <param name="Trigger"><c>api</c>, <c>cli</c>, <c>schedule</c>, <c>events</c>, <c>start</c> or <c>demo</c>.</param>
public sealed record TrainingRequest(string Trigger, string? Algorithm = null);

/// <summary>The states of a training run, as they appear in the API.</summary>
public static class TrainingStatus
{
    public const string Queued = "queued";
    public const string Running = "running";

    /// <summary>Trained and made the active version.</summary>
    public const string Promoted = "promoted";

    /// <summary>Trained and stored, but the promotion guard kept the active version.</summary>
    public const string Rejected = "rejected";

    /// <summary>Not trained: too few events.</summary>
    public const string Skipped = "skipped";

    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string status) => status is not (Queued or Running);
}

/// <summary>A training run as the API shows it.</summary>
/// <param name="Progress">Fraction of the training done, 0 to 1.</param>
/// <param name="Notes">Components left out or replaced, and other remarks.</param>
public sealed record TrainingRunInfo(
    string Id,
    string Trigger,
    string? Algorithm,
    string Status,
    string? Stage,
    double Progress,
    DateTimeOffset RequestedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Version,
    PromotionDecision? Decision,
    IReadOnlyList<string> Notes,
    string? Error);

/// <summary>One training run's mutable state; readers take <see cref="Info"/> snapshots.</summary>
public sealed class TrainingRun : IProgress<TrainingStage>
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<TrainingRunInfo> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TrainingRunInfo _info;

    public TrainingRun(string id, TrainingRequest request, DateTimeOffset requestedAt)
    {
        Request = request;
        _info = new TrainingRunInfo(id, request.Trigger, request.Algorithm, TrainingStatus.Queued, null, 0, requestedAt, null, null, null, null, [], null);
    }

    public string Id => _info.Id;

    public TrainingRequest Request { get; }

    public TrainingRunInfo Info
    {
        get
        {
            lock (_gate)
            {
                return _info;
            }
        }
    }

    /// <summary>Completes when the run has finished, whatever the outcome.</summary>
    public Task<TrainingRunInfo> Completion => _done.Task;

    public void Report(TrainingStage value) => Update(i => i with { Stage = value.Stage, Progress = Math.Max(i.Progress, value.Fraction) });

    internal void Start(DateTimeOffset at) => Update(i => i with { Status = TrainingStatus.Running, StartedAt = at, Stage = "reading events" });

    internal void SetAlgorithm(string spec) => Update(i => i with { Algorithm = spec });

    internal void SetNotes(IReadOnlyList<string> notes) => Update(i => i with { Notes = notes });

    internal void Finish(string status, DateTimeOffset at, string? version = null, PromotionDecision? decision = null, string? error = null)
    {
        TrainingRunInfo info;
        lock (_gate)
        {
            _info = info = _info with
            {
                Status = status,
                FinishedAt = at,
                Version = version ?? _info.Version,
                Decision = decision ?? _info.Decision,
                Error = error,
                Stage = null,
                Progress = status is TrainingStatus.Promoted or TrainingStatus.Rejected ? 1 : _info.Progress,
            };
        }

        _done.TrySetResult(info);
    }

    private void Update(Func<TrainingRunInfo, TrainingRunInfo> change)
    {
        lock (_gate)
        {
            _info = change(_info);
        }
    }
}
