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
/// interleaved in time order. Appends are queued and written by one background writer that flushes to disk after
/// every batch, so a request never waits on the disk; a crash loses at most the batch being written. Files older
/// than the retention are deleted.
/// </summary>
public sealed class DecisionLog : IAsyncDisposable
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
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

    public void Append(DecisionRecord record) => Enqueue(Serialize(record));

    public void Append(RewardRecord record) => Enqueue(Serialize(record));

    /// <summary>Waits until everything appended so far is on disk.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (Interlocked.Read(ref _pending) > 0 && !_writer.IsCompleted)
        {
            await Task.Delay(5, cancellationToken);
        }
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

    private void Enqueue(string line)
    {
        Interlocked.Increment(ref _pending);
        Interlocked.Increment(ref _appended);
        if (!_queue.Writer.TryWrite(line))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task WriteLoopAsync()
    {
        FileStream? stream = null;
        DateTime day = default;
        var buffer = new StringBuilder();
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                var count = 0;
                while (count < 4096 && _queue.Reader.TryRead(out var line))
                {
                    buffer.Append(line).Append('\n');
                    count++;
                }

                var today = _clock.GetUtcNow().UtcDateTime.Date;
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

                var bytes = Encoding.UTF8.GetBytes(buffer.ToString());
                buffer.Clear();
                await stream.WriteAsync(bytes);
                stream.Flush(flushToDisk: true);
                Interlocked.Add(ref _pending, -count);
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
        }
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

    private static string Serialize(DecisionRecord d)
    {
        using var stream = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(stream))
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
            foreach (var x in d.Context)
            {
                w.WriteNumberValue(x);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static string Serialize(RewardRecord r)
    {
        using var stream = new MemoryStream(128);
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("kind"u8, "reward"u8);
            w.WriteString("decisionId"u8, r.DecisionId);
            w.WriteString("at"u8, r.At.ToUniversalTime());
            w.WriteString("eventType"u8, r.EventType);
            w.WriteNumber("reward"u8, r.Reward);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
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
