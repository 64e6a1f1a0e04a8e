using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Attune.Algorithms.Data;
using Attune.Core;
using Attune.Engine.Feedback;
using Attune.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Attune.Engine.Models;

/// <summary>
/// The feedback loop: loads the active version at start, then trains new versions in the background on a schedule,
/// after a number of new events, and on request; each candidate passes the promotion guard before it serves.
/// </summary>
/// <remarks>
/// One run at a time: requests that arrive while one is queued join it. The CPU-heavy part runs on a dedicated
/// lowest-priority thread and algorithms that take a thread count get <c>Models:TrainingThreads</c>, so serving keeps
/// cores; the run is cancelled at shutdown. Memory held by a run: the interaction snapshot (five columns, about 21
/// bytes per interaction) until the training data is built, the training data (the aggregated matrix, the
/// time-ordered log and the catalog texts), the candidate's components, and during the promotion guard the earlier
/// part of the data with two comparison models. All of it is released when the run ends; the active model stays
/// in memory throughout, so the peak is the active model plus one candidate and its data.
/// </remarks>
public sealed class ModelTrainingService : BackgroundService, IEventObserver
{
    private const int KeptRuns = 50;
    private const int CatalogPage = 1000;

    private readonly ModelRegistry _registry;
    private readonly ModelTrainer _trainer;
    private readonly ICandidateEvaluator _evaluator;
    private readonly Func<IAttuneStore> _store;
    private readonly ILogger<ModelTrainingService> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<TrainingRun> _queue = Channel.CreateUnbounded<TrainingRun>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TrainingRun> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Lock _gate = new();
    private TrainingRun? _pending;
    private long _eventsSinceTraining;

    public ModelTrainingService(
        ModelRegistry registry,
        ModelTrainer trainer,
        ICandidateEvaluator evaluator,
        Func<IAttuneStore> store,
        ILogger<ModelTrainingService> logger,
        TimeProvider? time = null)
    {
        _registry = registry;
        _trainer = trainer;
        _evaluator = evaluator;
        _store = store;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public ModelRegistry Registry => _registry;

    /// <summary>New events stored since the last run started (what <c>Models:RetrainAfterEvents</c> is compared with).</summary>
    public long EventsSinceTraining => Interlocked.Read(ref _eventsSinceTraining);

    /// <summary>Recent runs, newest first.</summary>
    public IReadOnlyList<TrainingRunInfo> Runs =>
        [.. _runs.Values.Select(r => r.Info).OrderByDescending(i => i.RequestedAt).ThenByDescending(i => i.Id, StringComparer.Ordinal)];

    public TrainingRunInfo? Get(string id) => _runs.TryGetValue(id, out var run) ? run.Info : null;

    /// <summary>Queues a run and returns it at once; when one is already waiting for the same algorithm, returns that one.</summary>
    public TrainingRun Enqueue(TrainingRequest request)
    {
        lock (_gate)
        {
            if (_pending is { } pending && pending.Request.Algorithm == request.Algorithm)
            {
                return pending;
            }

            var run = Register(request);
            _pending = run;
            _queue.Writer.TryWrite(run);
            return run;
        }
    }

    /// <summary>
    /// Runs a training now on the caller's task (the CLI, a start-up training) and returns its outcome;
    /// <paramref name="started"/> receives the run first, e.g. to show its progress.
    /// </summary>
    public async Task<TrainingRunInfo> TrainNowAsync(TrainingRequest request, Action<TrainingRun>? started = null, CancellationToken cancellationToken = default)
    {
        var run = Register(request);
        started?.Invoke(run);
        await ExecuteRunAsync(run, cancellationToken);
        return run.Info;
    }

    public void OnAppended(IReadOnlyList<Event> stored)
    {
        var threshold = _registry.Options.RetrainAfterEvents;
        if (threshold <= 0 || stored.Count == 0)
        {
            return;
        }

        var total = Interlocked.Add(ref _eventsSinceTraining, stored.Count);
        if (total >= threshold && total - stored.Count < threshold)
        {
            Enqueue(new TrainingRequest("events"));
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server listens, so the first request already finds the active model.
        await _registry.LoadActiveAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_registry.Options.TrainOnStart && _registry.Active.Current is null)
        {
            Enqueue(new TrainingRequest("start"));
        }

        var schedule = ScheduleAsync(stoppingToken);
        try
        {
            await foreach (var run in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                lock (_gate)
                {
                    if (ReferenceEquals(_pending, run))
                    {
                        _pending = null;
                    }
                }

                await ExecuteRunAsync(run, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        foreach (var run in _runs.Values)
        {
            if (!TrainingStatus.IsFinished(run.Info.Status))
            {
                run.Finish(TrainingStatus.Cancelled, _time.GetUtcNow(), error: "The server stopped before the run finished.");
            }
        }

        await schedule;
    }

    private async Task ScheduleAsync(CancellationToken stoppingToken)
    {
        var interval = _registry.Options.ScheduleInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Enqueue(new TrainingRequest("schedule"));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private TrainingRun Register(TrainingRequest request)
    {
        var run = new TrainingRun(Guid.NewGuid().ToString("N")[..12], request, _time.GetUtcNow());
        _runs[run.Id] = run;
        if (_runs.Count > KeptRuns)
        {
            foreach (var old in _runs.Values.Where(r => TrainingStatus.IsFinished(r.Info.Status)).OrderBy(r => r.Info.RequestedAt).Take(_runs.Count - KeptRuns))
            {
                _runs.TryRemove(old.Id, out _);
            }
        }

        return run;
    }

    private async Task ExecuteRunAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Exchange(ref _eventsSinceTraining, 0);
            run.Start(_time.GetUtcNow());
            _logger.LogInformation("Training run {Run} started ({Trigger}).", run.Id, run.Request.Trigger);
            await TrainAsync(run, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run.Finish(TrainingStatus.Cancelled, _time.GetUtcNow(), error: "Cancelled.");
            _logger.LogInformation("Training run {Run} cancelled.", run.Id);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Any failure (a store error, a numerical refusal, a bug) ends this run only: an exception escaping the
            // background service would stop the whole server.
            run.Finish(TrainingStatus.Failed, _time.GetUtcNow(), error: ex.Message);
            _logger.LogError(ex, "Training run {Run} failed; the active model is unchanged.", run.Id);
            _registry.Record(ModelHistoryKinds.Failed, null, run.Id, $"Training failed: {ex.Message}");
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task TrainAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        var options = _registry.Options;
        var store = _store();
        InteractionSnapshot? snapshot = await store.Events.ReadSnapshotAsync(null, cancellationToken);
        if (snapshot.Count < options.MinEvents)
        {
            var message = $"Skipped: the store holds {snapshot.Count} interactions, Models:MinEvents is {options.MinEvents}.";
            run.Finish(TrainingStatus.Skipped, _time.GetUtcNow(), error: message);
            _logger.LogInformation("Training run {Run}: {Message}", run.Id, message);
            if (run.Request.Trigger != "start")
            {
                // Every start of an empty server would add one; the run itself still shows it.
                _registry.Record(ModelHistoryKinds.Skipped, null, run.Id, message);
            }
            return;
        }

        run.Report(new TrainingStage("reading catalog", 0));
        var catalog = await ReadCatalogAsync(store, cancellationToken);
        var fromMs = snapshot.TimestampMs[0];
        var toMs = snapshot.TimestampMs[^1];
        var events = snapshot.Count;
        var active = _registry.Active.Current;
        var clock = Stopwatch.StartNew();
        var outcome = await LowPriority.Run(
            () =>
            {
                // Dropped from the closure so the snapshot can be collected once the training data is built.
                var taken = snapshot;
                snapshot = null;
                return TrainAndCompare(run, taken, catalog, active, cancellationToken);
            },
            "attune-training");
        var seconds = clock.Elapsed.TotalSeconds;

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["train-seconds"] = Math.Round(seconds, 3) };
        if (outcome.Scores.Candidate is { } score)
        {
            metrics[outcome.Scores.Metric] = score;
        }

        var info = new ModelVersionInfo(
            ModelStore.NewVersion(_time.GetUtcNow()),
            outcome.Trained.MainSpec,
            outcome.Trained.MainOptions,
            fromMs,
            toMs,
            events,
            metrics,
            _time.GetUtcNow(),
            string.Empty);
        run.Report(new TrainingStage("saving", 1));
        var saved = await _registry.SaveAsync(new ServingModel(info, outcome.Users, outcome.Items, outcome.Trained.Components), cancellationToken);
        _registry.Record(ModelHistoryKinds.Trained, saved.Version, run.Id,
            $"Trained {saved.Info.Algorithm} on {events} interactions in {seconds:F1} s ({saved.Components.Count} components).");

        var decision = outcome.Decision;
        if (decision.Promoted)
        {
            await _registry.PromoteAsync(saved, cancellationToken);
            _registry.Record(ModelHistoryKinds.Promoted, saved.Version, run.Id, decision.Reason, decision);
            _logger.LogInformation("Model version {Version} promoted: {Reason}", saved.Version, decision.Reason);
            run.Finish(TrainingStatus.Promoted, _time.GetUtcNow(), saved.Version, decision);
        }
        else
        {
            _registry.Record(ModelHistoryKinds.Rejected, saved.Version, run.Id, decision.Reason, decision);
            _logger.LogWarning("Model version {Version} not promoted: {Reason}", saved.Version, decision.Reason);
            run.Finish(TrainingStatus.Rejected, _time.GetUtcNow(), saved.Version, decision);
        }

        await _registry.PruneAsync(cancellationToken);
    }

    private TrainOutcome TrainAndCompare(TrainingRun run, InteractionSnapshot snapshot, IReadOnlyList<Item> catalog, ServingModel? active, CancellationToken cancellationToken)
    {
        run.Report(new TrainingStage("building training data", 0));
        var data = _trainer.BuildData(snapshot, catalog);
        var trained = _trainer.Train(data, run.Request.Algorithm, run, cancellationToken);
        run.SetAlgorithm(trained.MainSpec);
        run.SetNotes(trained.Skipped);
        run.Report(new TrainingStage("comparing with the active model", 1));
        var scores = _evaluator.Compare(new CandidateComparison(data, trained.MainSpec, active?.Info.Algorithm, active?.Version), cancellationToken);
        var decision = PromotionGuard.Decide(scores, active?.Version, _registry.Options);
        return new TrainOutcome(data.Users, data.Items, trained, scores, decision);
    }

    private static async Task<IReadOnlyList<Item>> ReadCatalogAsync(IAttuneStore store, CancellationToken cancellationToken)
    {
        var items = new List<Item>();
        string? cursor = null;
        do
        {
            var page = await store.Catalog.ListAsync(cursor, CatalogPage, cancellationToken);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return items;
    }

    private sealed record TrainOutcome(IdMap Users, IdMap Items, TrainedModel Trained, ComparisonScores Scores, PromotionDecision Decision);
}

/// <summary>Runs CPU-heavy work on its own lowest-priority thread, so request threads win the cores.</summary>
internal static class LowPriority
{
    public static Task<T> Run<T>(Func<T> work, string name)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (OperationCanceledException ex)
            {
                done.SetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                // Whatever the work throws belongs to the awaiting task; escaping a thread would end the process.
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        try
        {
            thread.Priority = ThreadPriority.Lowest;
        }
        catch (PlatformNotSupportedException)
        {
            // Some platforms do not let a process lower a thread's priority; the thread count limit still applies.
        }

        thread.Start();
        return done.Task;
    }
}
