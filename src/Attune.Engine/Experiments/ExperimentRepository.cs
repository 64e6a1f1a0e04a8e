using System.Text.Json;
using Attune.Engine.Options;
using Attune.Experiments.Assignment;
using Attune.Experiments.Metrics;
using Attune.Storage;

namespace Attune.Engine.Experiments;

/// <summary>Why an experiment change was refused.</summary>
public sealed class ExperimentException(string message, IReadOnlyList<DefinitionError>? errors = null, bool notFound = false, bool conflict = false)
    : Exception(message)
{
    public IReadOnlyList<DefinitionError> Errors { get; } = errors ?? [];

    public bool NotFound { get; } = notFound;

    public bool Conflict { get; } = conflict;
}

/// <summary>
/// The experiments of a data folder, persisted as <c>experiments/experiments.json</c> (written to a temp file and
/// renamed, so a crash never leaves half a file), and the assignment service built on them.
/// </summary>
/// <remarks>
/// Writers are serialized by a lock; readers see an immutable snapshot (list and <see cref="ExperimentAssigner"/>)
/// swapped atomically after each successful write, so assignment never blocks. A change that fails validation,
/// bucket allocation or the write leaves both the file and the snapshot as they were.
/// </remarks>
public sealed class ExperimentRepository : IExperimentAssignments
{
    private readonly string _path;
    private readonly HoldoutSettings _holdout;
    private readonly TimeProvider _clock;
    private readonly Lock _write = new();
    private volatile State _state;

    public ExperimentRepository(string dataDir, ExperimentOptions? options = null, TimeProvider? clock = null)
    {
        options ??= new ExperimentOptions();
        _holdout = new HoldoutSettings(options.HoldoutFraction, options.HoldoutSalt);
        _clock = clock ?? TimeProvider.System;
        _path = Path.Combine(dataDir, "experiments", "experiments.json");
        _state = new State(Load(_path), _holdout);
    }

    public HoldoutSettings Holdout => _holdout;

    public IReadOnlyList<ExperimentDefinition> List() => _state.Experiments;

    public ExperimentDefinition? Get(string id) => _state.Experiments.FirstOrDefault(e => e.Id == id);

    public bool IsInHoldout(string userId) => _state.Assigner.IsInHoldout(userId);

    public Assignment? Assign(string experimentId, string userId) => _state.Assigner.Assign(experimentId, userId);

    public IReadOnlyList<Assignment> AssignAll(string userId) => _state.Assigner.AssignAll(userId);

    /// <exception cref="ExperimentException">Invalid, duplicate id, or no room in the layer.</exception>
    public ExperimentDefinition Create(ExperimentDefinition experiment)
    {
        lock (_write)
        {
            var current = _state.Experiments;
            if (current.Any(e => e.Id == experiment.Id))
            {
                throw new ExperimentException($"Experiment '{experiment.Id}' already exists; PUT /v1/experiments/{experiment.Id} to change it.", conflict: true);
            }

            var now = _clock.GetUtcNow();
            var prepared = Prepare(experiment with { CreatedAt = now, UpdatedAt = now }, null, current);
            Save([.. current, prepared]);
            return prepared;
        }
    }

    /// <summary>
    /// Replaces an experiment. Once it has run, its variants, weights, salt, layer and traffic are frozen
    /// (changing them would move users between variants mid-test); status, window, metrics and texts may change.
    /// </summary>
    public ExperimentDefinition Update(ExperimentDefinition experiment)
    {
        lock (_write)
        {
            var current = _state.Experiments;
            var old = current.FirstOrDefault(e => e.Id == experiment.Id)
                ?? throw new ExperimentException($"Experiment '{experiment.Id}' does not exist.", notFound: true);
            if (old.Status != ExperimentStatus.Draft && !SameSplit(old, experiment))
            {
                throw new ExperimentException(
                    $"Experiment '{old.Id}' has started: its variants, weights, salt, layer and traffic cannot change. Create a new experiment instead.",
                    [new DefinitionError("variants", "frozen once the experiment has started")]);
            }

            var prepared = Prepare(experiment with { CreatedAt = old.CreatedAt, UpdatedAt = _clock.GetUtcNow() }, old, current);
            Save(current.Select(e => e.Id == prepared.Id ? prepared : e).ToList());
            return prepared;
        }
    }

    public bool Delete(string id)
    {
        lock (_write)
        {
            var current = _state.Experiments;
            if (!current.Any(e => e.Id == id))
            {
                return false;
            }

            Save(current.Where(e => e.Id != id).ToList());
            return true;
        }
    }

    /// <summary>Computes results over the experiment's window (start to end, or to now while running) from the event log.</summary>
    public async Task<ExperimentResults> ResultsAsync(string id, IEventLog events, CancellationToken cancellationToken = default)
    {
        var e = Get(id) ?? throw new ExperimentException($"Experiment '{id}' does not exist.", notFound: true);
        var now = _clock.GetUtcNow();
        var from = (e.StartAt ?? e.CreatedAt).ToUnixTimeMilliseconds();
        var to = (e.EndAt ?? now).ToUnixTimeMilliseconds();
        if (to <= from)
        {
            to = from + 1;
        }

        var snapshot = await events.ReadSnapshotAsync(new SnapshotRange(from - (to - from), to), cancellationToken);
        return ExperimentAnalyzer.Analyze(e, _holdout, snapshot, from, to);
    }

    private ExperimentDefinition Prepare(ExperimentDefinition e, ExperimentDefinition? old, IReadOnlyList<ExperimentDefinition> current)
    {
        var errors = ExperimentValidator.Validate(e);
        if (errors.Count > 0)
        {
            throw new ExperimentException($"Experiment '{e.Id}' is invalid: {string.Join("; ", errors.Select(x => $"{x.Field} {x.Message}"))}.", errors);
        }

        var now = _clock.GetUtcNow();
        if (e.Status == ExperimentStatus.Running && e.StartAt is null)
        {
            e = e with { StartAt = now };
        }

        if (e.Status == ExperimentStatus.Stopped && e.EndAt is null)
        {
            e = e with { EndAt = now };
        }

        if (old is not null && old.Status != ExperimentStatus.Draft)
        {
            return e with { BucketStart = old.BucketStart, BucketEnd = old.BucketEnd };
        }

        try
        {
            return ExperimentAssigner.Allocate(e, current);
        }
        catch (InvalidOperationException ex)
        {
            throw new ExperimentException(ex.Message, [new DefinitionError("traffic", ex.Message)]);
        }
    }

    private static bool SameSplit(ExperimentDefinition a, ExperimentDefinition b) =>
        a.Layer == b.Layer && a.Traffic.Equals(b.Traffic) && a.EffectiveSalt == b.EffectiveSalt && a.Variants.SequenceEqual(b.Variants);

    private void Save(List<ExperimentDefinition> experiments)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = _path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(experiments, ExperimentJsonContext.Default.ListExperimentDefinition));
        File.Move(temp, _path, overwrite: true);
        _state = new State(experiments, _holdout);
    }

    private static List<ExperimentDefinition> Load(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ExperimentJsonContext.Default.ListExperimentDefinition) ?? [];
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The experiments file '{path}' is not valid: {ex.Message}", ex);
        }
    }

    private sealed class State(List<ExperimentDefinition> experiments, HoldoutSettings holdout)
    {
        public IReadOnlyList<ExperimentDefinition> Experiments { get; } = experiments;

        public ExperimentAssigner Assigner { get; } = new(experiments, holdout);
    }
}
