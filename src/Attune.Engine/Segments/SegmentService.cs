using System.Text;
using Attune.Core.Expressions;
using Attune.Engine.Options;
using Attune.Engine.Profiles;

namespace Attune.Engine.Segments;

/// <summary>
/// Rule segments over profiles: validated and compiled once against <see cref="IProfileStore.Binder"/>, kept live
/// (each batch of changed profiles is re-evaluated against every segment on the profile store's notification thread),
/// re-evaluated in full as a batch (on demand and on the history interval, which also catches time-dependent rules
/// such as <c>days_since_seen > 30</c>), with a persisted size history.
/// </summary>
/// <remarks>
/// Batch cost: O(profiles × segments × rule nodes); the live path costs O(changed profiles × segments × rule nodes).
/// </remarks>
public sealed class SegmentService : IDisposable
{
    public const int MaxNameLength = 64;
    private readonly IProfileStore _profiles;
    private readonly ISegmentRepository _repository;
    private readonly ProfileOptions _options;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LiveSegment> _segments = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;
    private readonly ITimer _timer;

    public SegmentService(IProfileStore profiles, ISegmentRepository repository, ProfileOptions options, TimeProvider? clock = null)
    {
        _profiles = profiles;
        _repository = repository;
        _options = options;
        _clock = clock ?? TimeProvider.System;
        foreach (var d in repository.LoadSegments())
        {
            _segments[d.Name] = Compile(d, throwOnError: false);
        }

        _subscription = profiles.Subscribe(OnProfilesChanged);
        _timer = _clock.CreateTimer(_ => RecordHistory(), null, options.SegmentHistoryInterval, options.SegmentHistoryInterval);
    }

    /// <summary>Checks a rule against the current profile schema; throws <see cref="SegmentException"/> naming the column.</summary>
    public ExpressionPredicate<UserProfile> Validate(string? rule)
    {
        if (string.IsNullOrWhiteSpace(rule))
        {
            throw new SegmentException("rule", "rule is required: a condition over profile fields, e.g. rfm.recency_days <= 30");
        }

        try
        {
            return _profiles.Binder.CompilePredicate(rule, new ExpressionOptions(Clock: _clock));
        }
        catch (ExpressionException ex)
        {
            throw new SegmentException("rule", $"rule: {ex.Message}", ex.Column);
        }
    }

    /// <summary>Creates or replaces a segment and evaluates it at once.</summary>
    public SegmentInfo Save(string? name, string? rule, string? description)
    {
        CheckName(name);
        var predicate = Validate(rule);
        if (description is { Length: > 1000 })
        {
            throw new SegmentException("description", "description must be at most 1000 characters.");
        }

        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (!_segments.TryGetValue(name!, out var existing) && _segments.Count >= _options.MaxSegments)
            {
                throw new SegmentException("name", $"there are already {_segments.Count} segments (limit Attune:Profiles:MaxSegments).");
            }

            var definition = new SegmentDefinition(name!, predicate.Text, description, existing?.Definition.Created ?? now, now);
            _repository.SaveSegment(definition);
            var live = new LiveSegment(definition, predicate, null);
            _segments[name!] = live;
            EvaluateBatch([live], now);
            _repository.AppendSizes([new SegmentSize(name!, now, live.Count)]);
            return live.Info();
        }
    }

    public IReadOnlyList<SegmentInfo> List()
    {
        lock (_gate)
        {
            return [.. _segments.Values.OrderBy(s => s.Definition.Name, StringComparer.Ordinal).Select(s => s.Info())];
        }
    }

    public SegmentInfo? Get(string name)
    {
        lock (_gate)
        {
            return _segments.TryGetValue(name, out var s) ? s.Info() : null;
        }
    }

    public bool Delete(string name)
    {
        lock (_gate)
        {
            _segments.Remove(name);
            return _repository.DeleteSegment(name);
        }
    }

    /// <summary>How many profiles (bots excluded) match <paramref name="rule"/> now, without saving it; plus a few example ids.</summary>
    public (int Size, int Profiles, IReadOnlyList<string> Sample) Preview(string? rule, int sampleSize = 10)
    {
        var predicate = Validate(rule).AsFunc();
        var size = 0;
        var total = 0;
        var sample = new List<string>();
        foreach (var p in _profiles.All())
        {
            total++;
            if (predicate(p))
            {
                size++;
                if (sample.Count < sampleSize)
                {
                    sample.Add(p.UserId);
                }
            }
        }

        sample.Sort(StringComparer.Ordinal);
        return (size, total, sample);
    }

    /// <summary>A page of members in user id order after <paramref name="cursor"/>; null when there is no such segment.</summary>
    public MemberPage? Members(string name, string? cursor, int limit)
    {
        LiveSegment? s;
        lock (_gate)
        {
            _segments.TryGetValue(name, out s);
        }

        if (s is null)
        {
            return null;
        }

        var sorted = s.Sorted();
        var start = 0;
        if (cursor is not null)
        {
            var i = Array.BinarySearch(sorted, cursor, StringComparer.Ordinal);
            start = i >= 0 ? i + 1 : ~i;
        }

        var end = Math.Min(sorted.Length, start + limit);
        var page = sorted[start..end];
        return new MemberPage(page, sorted.Length, end < sorted.Length && page.Length > 0 ? page[^1] : null);
    }

    /// <summary>True when the user is currently in the segment (false for an unknown segment).</summary>
    public bool IsMember(string name, string userId)
    {
        lock (_gate)
        {
            return _segments.TryGetValue(name, out var s) && s.Contains(userId);
        }
    }

    /// <summary>The segments the user is in now, by name.</summary>
    public IReadOnlyList<string> SegmentsOf(string userId)
    {
        lock (_gate)
        {
            return [.. _segments.Values.Where(s => s.Contains(userId)).Select(s => s.Definition.Name).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Writes the members as CSV: a header, then one row per member with the main profile fields.</summary>
    public bool ExportCsv(string name, TextWriter writer)
    {
        var page = Members(name, null, int.MaxValue);
        if (page is null)
        {
            return false;
        }

        writer.Write("user_id,lifecycle,orders,revenue,recency_days,rfm_cell,last_seen\n");
        var sb = new StringBuilder();
        foreach (var id in page.UserIds)
        {
            var p = _profiles.Get(id);
            sb.Clear();
            sb.Append(Csv(id)).Append(',');
            if (p is not null)
            {
                sb.Append(LifecycleStages.Name(p.Lifecycle)).Append(',')
                    .Append(p.OrderCount.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                    .Append(p.Revenue.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                    .Append(p.Rfm.RecencyDays?.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                    .Append(p.Rfm.Cell).Append(',')
                    .Append(p.LastSeen?.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(",,,,,");
            }

            writer.Write(sb.Append('\n').ToString());
        }

        return true;
    }

    /// <summary>The size history of a segment, oldest first; null when there is no such segment.</summary>
    public IReadOnlyList<SegmentSize>? History(string name, int limit = 1000)
    {
        lock (_gate)
        {
            if (!_segments.ContainsKey(name))
            {
                return null;
            }
        }

        return _repository.LoadSizes(name, limit);
    }

    /// <summary>Re-evaluates every segment over every profile now (one pass over the profiles) and, by default, records the sizes.</summary>
    public void EvaluateAll(bool recordHistory = true)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            var live = _segments.Values.Where(s => s.Predicate is not null).ToArray();
            EvaluateBatch(live, now);
            if (recordHistory)
            {
                _repository.AppendSizes([.. live.Select(s => new SegmentSize(s.Definition.Name, now, s.Count))]);
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _subscription.Dispose();
    }

    /// <summary>Counts the profiles that match: the batch kernel, one delegate call per profile.</summary>
    public static int Count(Func<UserProfile, bool> predicate, IReadOnlyList<UserProfile> profiles)
    {
        var n = 0;
        for (var i = 0; i < profiles.Count; i++)
        {
            if (predicate(profiles[i]))
            {
                n++;
            }
        }

        return n;
    }

    private void RecordHistory()
    {
        try
        {
            EvaluateAll();
        }
        catch (InvalidOperationException)
        {
            // The database was closed while stopping; the next start records again.
        }
    }

    private void OnProfilesChanged(IReadOnlyList<string> userIds)
    {
        lock (_gate)
        {
            if (_segments.Count == 0)
            {
                return;
            }

            foreach (var id in userIds)
            {
                var p = _profiles.Get(id);
                foreach (var s in _segments.Values)
                {
                    if (p is not null && !p.IsBot && s.Predicate is { } predicate && predicate.Matches(p))
                    {
                        s.Add(id);
                    }
                    else
                    {
                        s.Remove(id);
                    }
                }
            }
        }
    }

    private void EvaluateBatch(IReadOnlyList<LiveSegment> segments, DateTimeOffset now)
    {
        var predicates = segments.Select(s => s.Predicate!.AsFunc()).ToArray();
        var members = segments.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        foreach (var p in _profiles.All())
        {
            for (var i = 0; i < predicates.Length; i++)
            {
                if (predicates[i](p))
                {
                    members[i].Add(p.UserId);
                }
            }
        }

        for (var i = 0; i < segments.Count; i++)
        {
            segments[i].Replace(members[i], now);
        }
    }

    private LiveSegment Compile(SegmentDefinition d, bool throwOnError)
    {
        try
        {
            return new LiveSegment(d, Validate(d.Rule), null);
        }
        catch (SegmentException ex) when (!throwOnError)
        {
            return new LiveSegment(d, null, ex.Message);
        }
    }

    private static void CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new SegmentException("name", $"name must be 1-{MaxNameLength} characters of letters, digits, '_', '-' and '.' (got '{name}').");
        }
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private sealed class LiveSegment(SegmentDefinition definition, ExpressionPredicate<UserProfile>? predicate, string? error)
    {
        private HashSet<string> _members = new(StringComparer.Ordinal);
        private string[]? _sorted;
        private DateTimeOffset? _evaluatedAt;

        public SegmentDefinition Definition { get; } = definition;

        public ExpressionPredicate<UserProfile>? Predicate { get; } = predicate;

        public int Count
        {
            get
            {
                lock (this)
                {
                    return _members.Count;
                }
            }
        }

        public SegmentInfo Info()
        {
            lock (this)
            {
                return new SegmentInfo(Definition, _members.Count, _evaluatedAt, error);
            }
        }

        public bool Contains(string id)
        {
            lock (this)
            {
                return _members.Contains(id);
            }
        }

        public void Add(string id)
        {
            lock (this)
            {
                if (_members.Add(id))
                {
                    _sorted = null;
                }
            }
        }

        public void Remove(string id)
        {
            lock (this)
            {
                if (_members.Remove(id))
                {
                    _sorted = null;
                }
            }
        }

        public void Replace(HashSet<string> members, DateTimeOffset at)
        {
            lock (this)
            {
                _members = members;
                _sorted = null;
                _evaluatedAt = at;
            }
        }

        public string[] Sorted()
        {
            lock (this)
            {
                if (_sorted is null)
                {
                    _sorted = [.. _members];
                    Array.Sort(_sorted, StringComparer.Ordinal);
                }

                return _sorted;
            }
        }
    }
}
