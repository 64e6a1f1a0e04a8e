using System.Collections.Concurrent;
using System.Text.Json;
using Attune.Core;
using Attune.Core.Expressions;
using Attune.Engine.Feedback;
using Attune.Engine.Options;
using Attune.Engine.Privacy;
using Attune.Storage;

namespace Attune.Engine.Profiles;

/// <summary>
/// Live profiles for every user, in memory: fed by the <see cref="EventFeed"/> (each stored event updates its user's
/// accumulator in O(1)), by catalog changes (interests join item fields at snapshot time) and by user changes
/// (attributes, consent). Built from the event log at start (<see cref="RebuildAsync"/>) with the same code, so the
/// live result equals a rebuild. Users who refused personalization keep no profile, only their id in a suppression
/// set; users flagged as bots keep a flagged, empty profile. Erasure removes the profile and its predictions.
/// </summary>
public sealed class ProfileService : IProfileStore, IEventObserver, ICatalogObserver, IUserDataHolder, IDisposable
{
    private readonly ProfileOptions _options;
    private readonly DataQualityRules _rules;
    private readonly EventTypeRegistry _types;
    private readonly TimeProvider _clock;
    private readonly IPredictionStore? _predictionStore;
    private readonly double _halfLifeMs;
    private readonly ItemInterestIndex _index;
    private readonly SnapshotBuilder _snapshots;
    private readonly ConcurrentDictionary<string, byte> _predictionNames = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _attributeNames = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _changed = new();
    private readonly List<Action<IReadOnlyList<string>>> _subscribers = [];
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private ConcurrentDictionary<string, ProfileState> _states = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, byte> _suppressed = new(StringComparer.Ordinal);
    private PopulationStats _population = PopulationStats.Empty;
    private QualityCounters _quality = new();
    private RecordBinder<UserProfile>? _binder;
    private IEventLog? _log;
    private long _version;
    private long _epoch;
    private long _populationVersion = -1;
    private long _lastRefreshTicks;

    public ProfileService(
        ProfileOptions options,
        DataQualityOptions quality,
        EventTypeRegistry? types = null,
        TimeProvider? clock = null,
        IPredictionStore? predictionStore = null)
    {
        _options = options;
        _rules = new DataQualityRules(quality);
        _types = types ?? EventTypeRegistry.Default;
        _clock = clock ?? TimeProvider.System;
        _predictionStore = predictionStore;
        _halfLifeMs = options.InterestHalfLife.TotalMilliseconds;
        _index = new ItemInterestIndex(options.InterestFields);
        _snapshots = new SnapshotBuilder(options, _index);
        foreach (var name in options.PredictionNames)
        {
            _predictionNames[name] = 0;
        }

        _timer = _clock.CreateTimer(_ => Tick(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    public ProfileOptions Options => _options;

    public int Count => _states.Count;

    public long Version => Interlocked.Read(ref _version);

    public QualityStats Quality => _quality.Snapshot();

    /// <summary>Items the interest index knows.</summary>
    public int IndexedItems => _index.Count;

    public IReadOnlyList<string> PredictionNames => [.. _predictionNames.Keys.Order(StringComparer.Ordinal)];

    public RecordBinder<UserProfile> Binder
    {
        get
        {
            var b = Volatile.Read(ref _binder);
            if (b is not null)
            {
                return b;
            }

            var declared = _options.AttributeTypes.ToDictionary(kv => kv.Key, kv => ExpressionType.Parse(kv.Value), StringComparer.Ordinal);
            var sample = _states.Values.Select(s => s.User).OfType<User>().Take(10_000).ToList();
            b = ProfileSchema.Create(_options.InterestFields, PredictionNames, declared, sample);
            Volatile.Write(ref _binder, b);
            return b;
        }
    }

    public string ExportName => "profile";

    /// <summary>Lets a consent re-grant rebuild the user's profile from their events.</summary>
    public void AttachLog(IEventLog log) => _log = log;

    public UserProfile? Get(string userId) => Get(userId, _clock.GetUtcNow());

    /// <summary>The snapshot as of <paramref name="asOf"/> (tests and batch jobs pin the time).</summary>
    public UserProfile? Get(string userId, DateTimeOffset asOf)
    {
        if (_suppressed.ContainsKey(userId) || !_states.TryGetValue(userId, out var state))
        {
            return null;
        }

        EnsurePopulation();
        lock (state)
        {
            return _snapshots.Build(state, _population, Interlocked.Read(ref _epoch), asOf);
        }
    }

    public bool IsSuppressed(string userId) => _suppressed.ContainsKey(userId);

    public IEnumerable<UserProfile> All(bool includeBots = false) => All(_clock.GetUtcNow(), includeBots);

    public IEnumerable<UserProfile> All(DateTimeOffset asOf, bool includeBots = false)
    {
        EnsurePopulation();
        var population = _population;
        var epoch = Interlocked.Read(ref _epoch);
        foreach (var state in _states.Values)
        {
            UserProfile p;
            lock (state)
            {
                if (state.IsBot && !includeBots)
                {
                    continue;
                }

                p = _snapshots.Build(state, population, epoch, asOf);
            }

            yield return p;
        }
    }

    public void OnAppended(IReadOnlyList<Event> stored)
    {
        for (var i = 0; i < stored.Count; i++)
        {
            Apply(stored[i], _states, _quality);
        }

        Interlocked.Increment(ref _version);
    }

    public bool SetPrediction(string userId, string name, double score, string modelVersion, DateTimeOffset at) =>
        SetPredictions([new PredictionWrite(userId, name, score, modelVersion, at)]) == 1;

    public int SetPredictions(IReadOnlyList<PredictionWrite> predictions)
    {
        for (var i = 0; i < predictions.Count; i++)
        {
            var p = predictions[i];
            if (!IsPredictionName(p.Name))
            {
                throw new ArgumentException($"predictions[{i}].name '{p.Name}' is not a name (letters, digits and '_', not starting with a digit).", nameof(predictions));
            }

            if (!double.IsFinite(p.Score))
            {
                throw new ArgumentException($"predictions[{i}].score must be a finite number (got {p.Score}).", nameof(predictions));
            }

            ArgumentNullException.ThrowIfNull(p.ModelVersion);
        }

        var stored = new List<PredictionWrite>(predictions.Count);
        foreach (var p in predictions)
        {
            if (_suppressed.ContainsKey(p.UserId) || !_states.TryGetValue(p.UserId, out var state))
            {
                continue;
            }

            lock (state)
            {
                (state.Predictions ??= new Dictionary<string, PredictedScore>(StringComparer.Ordinal))[p.Name] =
                    new PredictedScore(p.Score, p.ModelVersion, p.At);
                state.Version++;
            }

            if (_predictionNames.TryAdd(p.Name, 0))
            {
                Volatile.Write(ref _binder, null);
            }

            stored.Add(p);
            Changed(p.UserId);
        }

        if (stored.Count > 0)
        {
            _predictionStore?.SavePredictions(stored);
            Interlocked.Increment(ref _version);
        }

        return stored.Count;
    }

    public IDisposable Subscribe(Action<IReadOnlyList<string>> onChanged)
    {
        lock (_gate)
        {
            _subscribers.Add(onChanged);
        }

        return new Unsubscriber(this, onChanged);
    }

    /// <summary>Delivers pending change notifications now (the timer does it every 250 ms).</summary>
    public void PublishChanges()
    {
        if (_changed.IsEmpty)
        {
            return;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (ids.Count < 100_000 && _changed.TryDequeue(out var id))
        {
            ids.Add(id);
        }

        Action<IReadOnlyList<string>>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        var list = ids.ToList();
        foreach (var s in subscribers)
        {
            s(list);
        }
    }

    /// <summary>Recomputes the RFM quintile boundaries from every profile now (otherwise done lazily when profiles changed).</summary>
    public void RefreshPopulation()
    {
        var version = Interlocked.Read(ref _version);
        var lastOrder = new List<long>();
        var orders = new List<int>();
        var revenue = new List<double>();
        foreach (var s in _states.Values)
        {
            lock (s)
            {
                if (!s.IsBot && s.Orders > 0)
                {
                    lastOrder.Add(s.LastOrderMs);
                    orders.Add(s.Orders);
                    revenue.Add(s.Revenue);
                }
            }
        }

        _population = new PopulationStats([.. lastOrder], [.. orders], [.. revenue], version);
        Interlocked.Exchange(ref _populationVersion, version);
        Interlocked.Increment(ref _epoch);
    }

    /// <summary>Replaces every profile with one built from the store: catalog, users (consent, attributes), then the whole log.</summary>
    public async Task RebuildAsync(IAttuneStore store, CancellationToken cancellationToken = default)
    {
        _log = store.Events;
        var items = new List<Item>();
        string? cursor = null;
        do
        {
            var page = await store.Catalog.ListAsync(cursor, 1000, cancellationToken);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var users = new List<User>();
        await foreach (var u in store.Users.ReadAllAsync(cancellationToken))
        {
            users.Add(u);
        }

        var states = new ConcurrentDictionary<string, ProfileState>(StringComparer.Ordinal);
        var suppressed = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var quality = new QualityCounters();
        ReplaceCatalog(items);
        PrepareUsers(users, states, suppressed);
        await foreach (var e in store.Events.ReadAllAsync(cancellationToken))
        {
            Apply(e, states, quality, suppressed);
        }

        Install(states, suppressed, quality);
    }

    /// <summary>Replaces every profile with one built from the given data (log order or not: the result is the same).</summary>
    public void Rebuild(IEnumerable<Item> items, IEnumerable<User> users, IEnumerable<Event> events)
    {
        var states = new ConcurrentDictionary<string, ProfileState>(StringComparer.Ordinal);
        var suppressed = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var quality = new QualityCounters();
        ReplaceCatalog(items);
        PrepareUsers(users, states, suppressed);
        foreach (var e in events)
        {
            Apply(e, states, quality, suppressed);
        }

        Install(states, suppressed, quality);
    }

    public void OnItemsUpserted(IReadOnlyList<Item> items)
    {
        foreach (var item in items)
        {
            _index.Upsert(item);
        }

        Interlocked.Increment(ref _epoch);
        Interlocked.Increment(ref _version);
    }

    public void OnItemDeleted(string itemId)
    {
        _index.Remove(itemId);
        Interlocked.Increment(ref _epoch);
        Interlocked.Increment(ref _version);
    }

    public void OnUserChanged(User user)
    {
        foreach (var name in user.Attributes.Keys)
        {
            if (_attributeNames.TryAdd(name, 0))
            {
                Volatile.Write(ref _binder, null);
            }
        }

        if (!user.Consent.Personalization.Granted)
        {
            Suppress(user.Id);
            return;
        }

        var wasSuppressed = _suppressed.TryRemove(user.Id, out _);
        var state = _states.GetOrAdd(user.Id, static id => new ProfileState(id));
        lock (state)
        {
            state.User = user;
            state.Version++;
        }

        Interlocked.Increment(ref _version);
        Changed(user.Id);
        if (wasSuppressed && _log is { } log)
        {
            // The events of the refusal period were never profiled; rebuild this user from the log.
            _ = Task.Run(() => ReplayUserAsync(log, user, CancellationToken.None));
        }
    }

    public Task EraseAsync(string userId, CancellationToken cancellationToken)
    {
        _suppressed.TryRemove(userId, out _);
        Drop(userId);
        _predictionStore?.DeletePredictions(userId);
        return Task.CompletedTask;
    }

    public void WriteExport(string userId, Utf8JsonWriter writer)
    {
        if (Get(userId) is { } profile)
        {
            ProfileJson.Write(writer, profile);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>Rebuilds one user from the log (after a consent re-grant) and swaps the result in.</summary>
    public async Task ReplayUserAsync(IEventLog log, User user, CancellationToken cancellationToken)
    {
        var states = new ConcurrentDictionary<string, ProfileState>(StringComparer.Ordinal);
        var fresh = states.GetOrAdd(user.Id, static id => new ProfileState(id));
        fresh.User = user;
        var scratch = new QualityCounters();
        await foreach (var e in log.ReadUserAsync(user.Id, cancellationToken))
        {
            Apply(e, states, scratch);
        }

        if (_suppressed.ContainsKey(user.Id))
        {
            return;
        }

        var old = _states.TryGetValue(user.Id, out var o) ? o : null;
        if (old is not null)
        {
            lock (old)
            {
                fresh.Predictions = old.Predictions;
                _quality.Profiled(-old.Events);
                _quality.Sessions(-old.SessionCount);
            }
        }

        var s = scratch.Snapshot();
        _quality.Profiled(s.EventsProfiled);
        _quality.Sessions(s.Sessions);
        _states[user.Id] = fresh;
        Interlocked.Increment(ref _version);
        Changed(user.Id);
    }

    private static bool IsPredictionName(string? name) =>
        name is not null && !name.Contains('.', StringComparison.Ordinal) && RecordBinder<UserProfile>.IsValidPath("predicted." + name);

    private void Apply(Event e, ConcurrentDictionary<string, ProfileState> states, QualityCounters quality, ConcurrentDictionary<string, byte>? suppressed = null)
    {
        quality.Seen();
        if ((suppressed ?? _suppressed).ContainsKey(e.UserId))
        {
            quality.Consent();
            return;
        }

        var state = states.GetOrAdd(e.UserId, static id => new ProfileState(id));
        lock (state)
        {
            var sessionsBefore = state.SessionCount;
            switch (state.Offer(e, _rules, _types, _halfLifeMs, _options.MaxItemsPerUser))
            {
                case EventOutcome.Accepted:
                    quality.Profiled(1);
                    quality.Sessions(state.SessionCount - sessionsBefore);
                    break;
                case EventOutcome.Duplicate:
                    quality.Duplicate();
                    break;
                case EventOutcome.Bot:
                    quality.Bot(1);
                    break;
                case EventOutcome.BecameBot:
                    state.IsBot = true;
                    var (events, sessions) = state.ClearBehaviour();
                    quality.BotUser(1);
                    quality.Bot(events + 1);
                    quality.Profiled(-events);
                    quality.Sessions(-sessions);
                    break;
            }
        }

        if (ReferenceEquals(states, _states))
        {
            Changed(e.UserId);
        }
    }

    private void ReplaceCatalog(IEnumerable<Item> items)
    {
        _index.Clear();
        foreach (var item in items)
        {
            _index.Upsert(item);
        }

        Interlocked.Increment(ref _epoch);
    }

    private void PrepareUsers(IEnumerable<User> users, ConcurrentDictionary<string, ProfileState> states, ConcurrentDictionary<string, byte> suppressed)
    {
        foreach (var user in users)
        {
            foreach (var name in user.Attributes.Keys)
            {
                _attributeNames.TryAdd(name, 0);
            }

            if (!user.Consent.Personalization.Granted)
            {
                suppressed[user.Id] = 0;
                continue;
            }

            states.GetOrAdd(user.Id, static id => new ProfileState(id)).User = user;
        }
    }

    private void Install(ConcurrentDictionary<string, ProfileState> states, ConcurrentDictionary<string, byte> suppressed, QualityCounters quality)
    {
        if (_predictionStore is not null)
        {
            foreach (var p in _predictionStore.LoadPredictions())
            {
                if (states.TryGetValue(p.UserId, out var s) && !suppressed.ContainsKey(p.UserId))
                {
                    (s.Predictions ??= new Dictionary<string, PredictedScore>(StringComparer.Ordinal))[p.Name] =
                        new PredictedScore(p.Score, p.ModelVersion, p.At);
                    _predictionNames.TryAdd(p.Name, 0);
                }
            }
        }

        _states = states;
        _suppressed = suppressed;
        _quality = quality;
        Volatile.Write(ref _binder, null);
        Interlocked.Increment(ref _version);
        RefreshPopulation();
        foreach (var id in states.Keys)
        {
            Changed(id);
        }
    }

    private void Suppress(string userId)
    {
        _suppressed[userId] = 0;
        Drop(userId);
        _predictionStore?.DeletePredictions(userId);
    }

    private void Drop(string userId)
    {
        if (_states.TryRemove(userId, out var state))
        {
            lock (state)
            {
                _quality.Profiled(-state.Events);
                _quality.Sessions(-state.SessionCount);
                if (state.IsBot)
                {
                    _quality.BotUser(-1);
                }
            }
        }

        Interlocked.Increment(ref _version);
        Changed(userId);
    }

    private void Changed(string userId)
    {
        if (_subscribers.Count > 0)
        {
            _changed.Enqueue(userId);
        }
    }

    private void EnsurePopulation()
    {
        // Quintile boundaries move slowly; refresh lazily when profiles changed, at most every few seconds (Tick).
        if (Interlocked.Read(ref _populationVersion) < 0)
        {
            RefreshPopulation();
        }
    }

    private void Tick()
    {
        try
        {
            PublishChanges();
            var now = _clock.GetTimestamp();
            if (Interlocked.Read(ref _populationVersion) != Interlocked.Read(ref _version)
                && _clock.GetElapsedTime(Interlocked.Read(ref _lastRefreshTicks), now) > TimeSpan.FromSeconds(10))
            {
                Interlocked.Exchange(ref _lastRefreshTicks, now);
                RefreshPopulation();
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // A subscriber failed; the next tick delivers newer changes.
        }
    }

    private sealed class Unsubscriber(ProfileService owner, Action<IReadOnlyList<string>> subscriber) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._subscribers.Remove(subscriber);
            }
        }
    }
}
