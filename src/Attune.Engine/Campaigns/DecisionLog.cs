using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Attune.Engine.Campaigns;

/// <summary>A logged decision: what was shown, to whom, with what probability and in what context (for off-policy evaluation).</summary>
/// <param name="Propensity">The probability with which the policy chose <paramref name="VariantIndex"/>.</param>
/// <param name="Context">The policy's context vector (<see cref="DecisionFeatures"/>); empty for non-contextual policies.</param>
public sealed record DecisionRecord(
    string Id,
    DateTimeOffset At,
    string UserId,
    string CampaignId,
    string Placement,
    string Channel,
    string VariantId,
    int VariantIndex,
    int Arms,
    double Propensity,
    string PolicySpec,
    IReadOnlyList<double> Context);

/// <summary>A reward attributed to a logged decision.</summary>
public sealed record RewardRecord(string DecisionId, DateTimeOffset At, string EventType, double Reward);

/// <summary>
/// The decisions log: one JSON object per line in daily files <c>decisions-YYYY-MM-DD.jsonl</c> under the data
/// folder's <c>campaigns/decisions</c>, decisions (<c>"kind":"decision"</c>) and rewards (<c>"kind":"reward"</c>)
/// interleaved in time order. Appends queue the record and return; one background writer serializes what has
/// queued, writes it and flushes it to disk as one batch (a group commit), at most once per
/// <see cref="CommitInterval"/>, so a request never waits on the disk and a busy server syncs a few hundred
/// records at a time instead of one. A crash loses at most the records of the last interval. Files older than the
/// retention are deleted. <see cref="EraseUserAsync"/> rewrites the files without a user's decisions and their rewards.
/// </summary>
public sealed class DecisionLog : IAsyncDisposable
{
    /// <summary>The shortest time between two flushes to disk.</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(10);

    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _directory;
    private readonly int _retentionDays;
    private readonly TimeProvider _clock;
    private readonly Task _writer;
    private long _pending;
    private long _appended;

    public DecisionLog(string directory, int retentionDays, TimeProvider? clock = null)
    {
        _directory = directory;
        _retentionDays = retentionDays;
        _clock = clock ?? TimeProvider.System;
        Directory.CreateDirectory(directory);
        DeleteExpired();
        _writer = Task.Run(WriteLoopAsync);
    }

    public string DirectoryPath => _directory;

    /// <summary>Records written or still queued since start (for tests and stats).</summary>
    public long Appended => Interlocked.Read(ref _appended);

    public void Append(DecisionRecord record) => Enqueue(record);

    public void Append(RewardRecord record) => Enqueue(record);

    /// <summary>Waits until everything appended so far is on disk.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (Interlocked.Read(ref _pending) > 0 && !_writer.IsCompleted)
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>
    /// Removes every decision of <paramref name="userId"/>, and the rewards of those decisions, from every file, after
    /// what was appended before the call is written. Each file is replaced atomically. Returns how many lines went.
    /// </summary>
    public Task<int> EraseUserAsync(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var erase = new EraseRequest(userId);
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(erase))
        {
            Interlocked.Decrement(ref _pending);
            throw new ObjectDisposedException(nameof(DecisionLog), "The decisions log is closed.");
        }

        return erase.Done.Task;
    }

    /// <summary>The user's decisions still in the log under <paramref name="directory"/>, each with the reward attributed to it (null when none), oldest first.</summary>
    public static IReadOnlyList<(DecisionRecord Decision, RewardRecord? Reward)> ReadUser(string directory, string userId)
    {
        var decisions = new List<DecisionRecord>();
        var rewards = new Dictionary<string, RewardRecord>(StringComparer.Ordinal);
        foreach (var entry in Read(directory, DateTimeOffset.MinValue))
        {
            switch (entry)
            {
                case DecisionRecord d when string.Equals(d.UserId, userId, StringComparison.Ordinal):
                    decisions.Add(d);
                    break;
                case RewardRecord r:
                    rewards.TryAdd(r.DecisionId, r);
                    break;
            }
        }

        var result = new List<(DecisionRecord, RewardRecord?)>(decisions.Count);
        foreach (var d in decisions)
        {
            result.Add((d, rewards.GetValueOrDefault(d.Id)));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    /// <summary>Every decision and reward in the log under <paramref name="directory"/> at or after <paramref name="since"/>, in file order.</summary>
    public static IEnumerable<object> Read(string directory, DateTimeOffset since)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        var files = Directory.GetFiles(directory, "decisions-*.jsonl");
        Array.Sort(files, StringComparer.Ordinal);
        var firstDay = since.UtcDateTime.Date;
        foreach (var file in files)
        {
            if (DayOf(file) is { } day && day < firstDay)
            {
                continue;
            }

            foreach (var line in File.ReadLines(file))
            {
                // A crash may leave the last line torn; it holds nothing that was acknowledged as durable.
                if (Parse(line) is { } entry && At(entry) >= since)
                {
                    yield return entry;
                }
            }
        }
    }

    private static DateTimeOffset At(object entry) => entry switch
    {
        DecisionRecord d => d.At,
        RewardRecord r => r.At,
        _ => DateTimeOffset.MinValue,
    };

    private void Enqueue(object record)
    {
        Interlocked.Increment(ref _pending);
        Interlocked.Increment(ref _appended);
        if (!_queue.Writer.TryWrite(record))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task WriteLoopAsync()
    {
        FileStream? stream = null;
        DateTime day = default;
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        using var json = new Utf8JsonWriter(buffer);
        var lastCommit = 0L;
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                // Group commit: records that arrive while the last flush is recent wait for the next one.
                var wait = CommitInterval - Stopwatch.GetElapsedTime(lastCommit);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var count = 0;
                EraseRequest? erase = null;
                while (count < 8192 && _queue.Reader.TryRead(out var item))
                {
                    count++;
                    if (item is EraseRequest e)
                    {
                        erase = e;
                        break;
                    }

                    json.Reset(buffer);
                    switch (item)
                    {
                        case DecisionRecord d:
                            Write(json, d);
                            break;
                        case RewardRecord r:
                            Write(json, r);
                            break;
                    }

                    json.Flush();
                    buffer.GetSpan(1)[0] = (byte)'\n';
                    buffer.Advance(1);
                }

                var today = _clock.GetUtcNow().UtcDateTime.Date;
                if (buffer.WrittenCount > 0)
                {
                    if (stream is null || today != day)
                    {
                        if (stream is not null)
                        {
                            await stream.DisposeAsync();
                        }

                        day = today;
                        stream = new FileStream(PathFor(day), FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
                        DeleteExpired();
                    }

                    await stream.WriteAsync(buffer.WrittenMemory);
                    stream.Flush(flushToDisk: true);
                    buffer.Clear();
                    lastCommit = Stopwatch.GetTimestamp();
                }

                if (erase is not null)
                {
                    // The open file is rewritten too: close it, and the next batch opens the new one.
                    if (stream is not null)
                    {
                        await stream.DisposeAsync();
                        stream = null;
                    }

                    try
                    {
                        erase.Done.TrySetResult(EraseUser(erase.UserId));
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        erase.Done.TrySetException(ex);
                    }
                }

                Interlocked.Add(ref _pending, -count);
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }

            while (_queue.Reader.TryRead(out var left))
            {
                (left as EraseRequest)?.Done.TrySetException(new ObjectDisposedException(nameof(DecisionLog), "The decisions log is closed."));
            }
        }
    }

    private int EraseUser(string userId)
    {
        var files = Directory.GetFiles(_directory, "decisions-*.jsonl");
        Array.Sort(files, StringComparer.Ordinal);

        // Rewards name the decision, not the user: first the user's decision ids, across all files (a reward may
        // land in the file of the day after its decision).
        // A line can only hold the user's id as written, escaped or not: the cheap test skips parsing the others.
        var escaped = JsonEncodedText.Encode(userId).ToString();
        var erased = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var line in File.ReadLines(file))
            {
                if ((line.Contains(userId, StringComparison.Ordinal) || line.Contains(escaped, StringComparison.Ordinal))
                    && Parse(line) is DecisionRecord d && string.Equals(d.UserId, userId, StringComparison.Ordinal))
                {
                    erased.Add(d.Id);
                }
            }
        }

        if (erased.Count == 0)
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in files)
        {
            var kept = new StringBuilder();
            var dropped = 0;
            foreach (var line in File.ReadLines(file))
            {
                var entry = Parse(line);
                if ((entry is DecisionRecord d && erased.Contains(d.Id)) || (entry is RewardRecord r && erased.Contains(r.DecisionId)))
                {
                    dropped++;
                }
                else if (entry is not null)
                {
                    kept.Append(line).Append('\n');
                }
            }

            if (dropped == 0)
            {
                continue;
            }

            var temp = file + ".tmp";
            using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                output.Write(Encoding.UTF8.GetBytes(kept.ToString()));
                output.Flush(flushToDisk: true);
            }

            File.Move(temp, file, overwrite: true);
            removed += dropped;
        }

        return removed;
    }

    private string PathFor(DateTime day) =>
        Path.Combine(_directory, $"decisions-{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.jsonl");

    private void DeleteExpired()
    {
        var cutoff = _clock.GetUtcNow().UtcDateTime.Date.AddDays(-_retentionDays);
        foreach (var file in Directory.GetFiles(_directory, "decisions-*.jsonl"))
        {
            if (DayOf(file) is { } day && day < cutoff)
            {
                File.Delete(file);
            }
        }
    }

    private static DateTime? DayOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        return name.Length == "decisions-yyyy-MM-dd".Length
            && DateTime.TryParseExact(name["decisions-".Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day)
            ? day.Date
            : null;
    }

    private static void Write(Utf8JsonWriter w, DecisionRecord d)
    {
        w.WriteStartObject();
        w.WriteString("kind"u8, "decision"u8);
        w.WriteString("id"u8, d.Id);
        w.WriteString("at"u8, d.At.ToUniversalTime());
        w.WriteString("userId"u8, d.UserId);
        w.WriteString("campaignId"u8, d.CampaignId);
        w.WriteString("placement"u8, d.Placement);
        w.WriteString("channel"u8, d.Channel);
        w.WriteString("variantId"u8, d.VariantId);
        w.WriteNumber("variantIndex"u8, d.VariantIndex);
        w.WriteNumber("arms"u8, d.Arms);
        w.WriteNumber("propensity"u8, d.Propensity);
        w.WriteString("policy"u8, d.PolicySpec);
        w.WriteStartArray("context"u8);
        if (d.Context is double[] values)
        {
            foreach (var x in values)
            {
                w.WriteNumberValue(x);
            }
        }
        else
        {
            foreach (var x in d.Context)
            {
                w.WriteNumberValue(x);
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, RewardRecord r)
    {
        w.WriteStartObject();
        w.WriteString("kind"u8, "reward"u8);
        w.WriteString("decisionId"u8, r.DecisionId);
        w.WriteString("at"u8, r.At.ToUniversalTime());
        w.WriteString("eventType"u8, r.EventType);
        w.WriteNumber("reward"u8, r.Reward);
        w.WriteEndObject();
    }

    private sealed class EraseRequest(string userId)
    {
        public string UserId { get; } = userId;

        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static object? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("kind", out var kind))
            {
                return null;
            }

            if (kind.ValueEquals("reward"))
            {
                return new RewardRecord(r.GetProperty("decisionId").GetString()!, r.GetProperty("at").GetDateTimeOffset(),
                    r.GetProperty("eventType").GetString()!, r.GetProperty("reward").GetDouble());
            }

            var context = new List<double>();
            foreach (var x in r.GetProperty("context").EnumerateArray())
            {
                context.Add(x.GetDouble());
            }

            return new DecisionRecord(
                r.GetProperty("id").GetString()!,
                r.GetProperty("at").GetDateTimeOffset(),
                r.GetProperty("userId").GetString()!,
                r.GetProperty("campaignId").GetString()!,
                r.GetProperty("placement").GetString()!,
                r.GetProperty("channel").GetString()!,
                r.GetProperty("variantId").GetString()!,
                r.GetProperty("variantIndex").GetInt32(),
                r.GetProperty("arms").GetInt32(),
                r.GetProperty("propensity").GetDouble(),
                r.GetProperty("policy").GetString()!,
                context);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
