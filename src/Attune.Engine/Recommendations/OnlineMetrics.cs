using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Attune.Core;
using Attune.Engine.Feedback;

namespace Attune.Engine.Recommendations;

/// <summary>Feedback counts of one model version, or of one source within it.</summary>
public sealed record FeedbackCounts(long Impressions, long Clicks, long Conversions)
{
    /// <summary>Clicks per impression; null before the first impression.</summary>
    public double? Ctr => Impressions > 0 ? (double)Clicks / Impressions : null;

    /// <summary>Conversions (purchases) per impression; null before the first impression.</summary>
    public double? ConversionRate => Impressions > 0 ? (double)Conversions / Impressions : null;
}

/// <summary>Online metrics of a model version: lists served, feedback in total and by candidate source.</summary>
public sealed record VersionMetrics(string Version, long ListsServed, long ItemsServed, FeedbackCounts Total, IReadOnlyDictionary<string, FeedbackCounts> BySource);

/// <summary>
/// Attributes feedback to the model version and candidate source that produced a recommended item: every page
/// served is recorded under its recommendation id (bounded, least recently used lists forgotten), and impression,
/// click and purchase events carrying <c>context.recommendationId</c> are counted against it.
/// </summary>
/// <remarks>
/// Survives restarts: the record of served pages is appended to <c>serving/recommendations.log</c> in the data folder
/// by a background writer and read back (its newest entries) at start; the counters are written to
/// <c>serving/online-metrics.json</c> every two seconds when they changed and at shutdown. A crash can therefore
/// lose at most the last two seconds of counts and the served pages still queued for writing. The log is
/// compacted to the remembered entries at start.
/// </remarks>
public sealed class OnlineMetrics : IEventObserver, IAsyncDisposable
{
    public const string Unknown = "unknown";
    private static readonly TimeSpan SaveEvery = TimeSpan.FromSeconds(2);
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<Served>> _ledger = new(StringComparer.Ordinal);
    private readonly LinkedList<Served> _recency = new();
    private readonly Dictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly Channel<string> _writes = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string? _logPath;
    private readonly string? _countsPath;
    private readonly Task _writer;
    private bool _dirty;
    private int _disposed;

    /// <param name="directory">Where the ledger and counters are kept; null keeps them in memory only.</param>
    public OnlineMetrics(int capacity, string? directory)
    {
        _capacity = capacity;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            _logPath = Path.Combine(directory, "recommendations.log");
            _countsPath = Path.Combine(directory, "online-metrics.json");
            Load();
        }

        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Lists remembered for attribution.</summary>
    public int Remembered
    {
        get
        {
            lock (_lock)
            {
                return _ledger.Count;
            }
        }
    }

    /// <summary>Records the items of a page served under <paramref name="recommendationId"/>.</summary>
    /// <param name="fallback">Why the list was not personalized (kept in memory for later pages); null when it was.</param>
    public void RecordServed(string recommendationId, string? version, IReadOnlyList<(string ItemId, string Source)> items, string? fallback = null)
    {
        var versionKey = version ?? Unknown;
        lock (_lock)
        {
            RecordLocked(recommendationId, versionKey, items, countList: true).Fallback = fallback;
            _dirty = true;
        }

        if (_logPath is not null)
        {
            var line = new StringBuilder(recommendationId).Append('\t').Append(versionKey);
            foreach (var (item, source) in items)
            {
                line.Append('\t').Append(item).Append('\t').Append(source);
            }

            _writes.Writer.TryWrite(line.ToString());
        }
    }

    /// <summary>The version that served a recommendation id (null when none was active or it is forgotten), and its fallback.</summary>
    public (string? Version, string? Fallback) Describe(string recommendationId)
    {
        lock (_lock)
        {
            return _ledger.TryGetValue(recommendationId, out var node)
                ? (node.Value.Version == Unknown ? null : node.Value.Version, node.Value.Fallback)
                : (null, null);
        }
    }

    public void OnAppended(IReadOnlyList<Event> stored)
    {
        foreach (var e in stored)
        {
            if (e.Context?.RecommendationId is not { } id)
            {
                continue;
            }

            var kind = e.Type switch
            {
                EventTypes.Impression => 0,
                EventTypes.Click => 1,
                EventTypes.Purchase => 2,
                _ => -1,
            };
            if (kind < 0)
            {
                continue;
            }

            lock (_lock)
            {
                if (!_ledger.TryGetValue(id, out var node))
                {
                    continue;
                }

                var served = node.Value;
                var source = e.ItemId is not null && served.Sources.TryGetValue(e.ItemId, out var s) ? s : Unknown;
                var counter = CounterOf(served.Version);
                counter.Count(kind, source);
                _dirty = true;
            }
        }
    }

    /// <summary>Metrics of a version; null when nothing was served or counted for it.</summary>
    public VersionMetrics? For(string version)
    {
        lock (_lock)
        {
            return _counters.TryGetValue(version, out var c) ? c.ToMetrics(version) : null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered both as itself and as an event observer, so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Completing the channel lets the writer drain what is queued and stop.
        _writes.Writer.TryComplete();
        await _writer;
        SaveCounts();
    }

    private Served RecordLocked(string id, string version, IReadOnlyList<(string ItemId, string Source)> items, bool countList)
    {
        if (!_ledger.TryGetValue(id, out var node))
        {
            node = _recency.AddFirst(new Served(id, version, new Dictionary<string, string>(StringComparer.Ordinal)));
            _ledger[id] = node;
            while (_ledger.Count > _capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _ledger.Remove(last.Value.Id);
            }

            if (countList)
            {
                CounterOf(version).Lists++;
            }
        }
        else if (node != _recency.First)
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
        }

        foreach (var (item, source) in items)
        {
            node.Value.Sources.TryAdd(item, source);
        }

        if (countList)
        {
            CounterOf(version).Items += items.Count;
        }

        return node.Value;
    }

    private Counter CounterOf(string version)
    {
        if (!_counters.TryGetValue(version, out var c))
        {
            c = new Counter();
            _counters[version] = c;
        }

        return c;
    }

    private void Load()
    {
        if (File.Exists(_countsPath))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(_countsPath!));
            foreach (var v in doc.RootElement.EnumerateObject())
            {
                _counters[v.Name] = Counter.Read(v.Value);
            }
        }

        if (!File.Exists(_logPath))
        {
            return;
        }

        foreach (var line in File.ReadLines(_logPath!))
        {
            var parts = line.Split('\t');
            if (parts.Length < 2 || parts.Length % 2 != 0)
            {
                continue; // a line cut short by a crash
            }

            var items = new List<(string, string)>((parts.Length - 2) / 2);
            for (var k = 2; k + 1 < parts.Length; k += 2)
            {
                items.Add((parts[k], parts[k + 1]));
            }

            RecordLocked(parts[0], parts[1], items, countList: false);
        }

        // Compaction: keep only what is remembered, oldest first, so the file stays bounded across restarts.
        var temp = _logPath + ".tmp";
        using (var w = new StreamWriter(temp, append: false, Encoding.UTF8))
        {
            for (var node = _recency.Last; node is not null; node = node.Previous)
            {
                var s = node.Value;
                w.Write(s.Id);
                w.Write('\t');
                w.Write(s.Version);
                foreach (var (item, source) in s.Sources)
                {
                    w.Write('\t');
                    w.Write(item);
                    w.Write('\t');
                    w.Write(source);
                }

                w.Write('\n');
            }
        }

        File.Move(temp, _logPath!, overwrite: true);
    }

    private async Task WriteLoopAsync()
    {
        StreamWriter? log = _logPath is null ? null : new StreamWriter(new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.Read), Encoding.UTF8);
        try
        {
            var nextSave = DateTime.UtcNow + SaveEvery;
            while (true)
            {
                var wait = nextSave - DateTime.UtcNow;
                using var timeout = new CancellationTokenSource(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                bool more;
                try
                {
                    more = await _writes.Reader.WaitToReadAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    more = true;
                }

                while (_writes.Reader.TryRead(out var line))
                {
                    if (log is not null)
                    {
                        await log.WriteAsync(line);
                        await log.WriteAsync('\n');
                    }
                }

                if (log is not null)
                {
                    await log.FlushAsync();
                }

                if (DateTime.UtcNow >= nextSave)
                {
                    SaveCounts();
                    nextSave = DateTime.UtcNow + SaveEvery;
                }

                if (!more)
                {
                    return;
                }
            }
        }
        finally
        {
            if (log is not null)
            {
                await log.DisposeAsync();
            }
        }
    }

    private void SaveCounts()
    {
        if (_countsPath is null)
        {
            return;
        }

        byte[] json;
        lock (_lock)
        {
            if (!_dirty)
            {
                return;
            }

            _dirty = false;
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                foreach (var (version, c) in _counters)
                {
                    w.WritePropertyName(version);
                    c.Write(w);
                }

                w.WriteEndObject();
            }

            json = buffer.ToArray();
        }

        var temp = _countsPath + ".tmp";
        File.WriteAllBytes(temp, json);
        File.Move(temp, _countsPath, overwrite: true);
    }

    private sealed record Served(string Id, string Version, Dictionary<string, string> Sources)
    {
        public string? Fallback { get; set; }
    }

    private sealed class Counter
    {
        private readonly Dictionary<string, long[]> _bySource = new(StringComparer.Ordinal);
        private readonly long[] _total = new long[3];

        public long Lists { get; set; }

        public long Items { get; set; }

        public static Counter Read(JsonElement e)
        {
            var c = new Counter { Lists = e.GetProperty("lists").GetInt64(), Items = e.GetProperty("items").GetInt64() };
            ReadInto(e.GetProperty("total"), c._total);
            foreach (var s in e.GetProperty("bySource").EnumerateObject())
            {
                var counts = new long[3];
                ReadInto(s.Value, counts);
                c._bySource[s.Name] = counts;
            }

            return c;
        }

        public void Count(int kind, string source)
        {
            _total[kind]++;
            if (!_bySource.TryGetValue(source, out var counts))
            {
                counts = new long[3];
                _bySource[source] = counts;
            }

            counts[kind]++;
        }

        public VersionMetrics ToMetrics(string version)
        {
            var bySource = new SortedDictionary<string, FeedbackCounts>(StringComparer.Ordinal);
            foreach (var (source, c) in _bySource)
            {
                bySource[source] = new FeedbackCounts(c[0], c[1], c[2]);
            }

            return new VersionMetrics(version, Lists, Items, new FeedbackCounts(_total[0], _total[1], _total[2]), bySource);
        }

        public void Write(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteNumber("lists", Lists);
            w.WriteNumber("items", Items);
            w.WritePropertyName("total");
            WriteCounts(w, _total);
            w.WriteStartObject("bySource");
            foreach (var (source, c) in _bySource)
            {
                w.WritePropertyName(source);
                WriteCounts(w, c);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        private static void WriteCounts(Utf8JsonWriter w, long[] c)
        {
            w.WriteStartArray();
            foreach (var v in c)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
        }

        private static void ReadInto(JsonElement array, long[] into)
        {
            var k = 0;
            foreach (var v in array.EnumerateArray())
            {
                if (k < into.Length)
                {
                    into[k++] = v.GetInt64();
                }
            }
        }
    }
}
