using System.Diagnostics;
using System.Threading.Channels;
using Attune.Core;
using Attune.Datasets;

namespace Attune.Engine.Import;

/// <summary>
/// Reads dataset records and writes them to a sink in batches, in one pass. Reading and parsing run on one
/// thread while the previous batch is written on another (a bounded channel of two batches between them),
/// so on two cores parsing hides behind the store's writes. Items and users of a batch are written before
/// its events. Re-importing is idempotent: events carry deterministic ids and come back as duplicates.
/// </summary>
public sealed class DatasetImporter(ImportOptions? options = null)
{
    private readonly ImportOptions _options = options ?? ImportOptions.Default;

    public async Task<ImportResult> ImportAsync(
        IEnumerable<DatasetRecord> records,
        IImportSink sink,
        IProgress<ImportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var batchSize = Math.Clamp(_options.BatchSize, 1, sink.MaxBatchSize);
        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var stopwatch = Stopwatch.StartNew();
        var state = new State(_options.MaxRejectedKept);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var producer = Task.Run(() => Produce(records, channel.Writer, batchSize, state, cts.Token), cts.Token);
        var lastReport = TimeSpan.Zero;
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cts.Token))
            {
                if (batch.Items.Count > 0)
                {
                    await sink.UpsertItemsAsync(batch.Items, cts.Token);
                    state.Items += batch.Items.Count;
                }

                if (batch.Users.Count > 0)
                {
                    await sink.UpsertUsersAsync(batch.Users, cts.Token);
                    state.Users += batch.Users.Count;
                }

                if (batch.Events.Count > 0)
                {
                    var result = await sink.AppendEventsAsync(batch.Events, cts.Token);
                    state.Accepted += result.Accepted;
                    state.Duplicates += result.Duplicates;
                    state.Events += batch.Events.Count;
                }

                state.RowsWritten += batch.Rows;
                state.RejectedWritten += batch.Rejected;
                if (progress is not null && stopwatch.Elapsed - lastReport >= _options.EffectiveProgressInterval)
                {
                    lastReport = stopwatch.Elapsed;
                    progress.Report(state.Progress(stopwatch.Elapsed));
                }
            }
        }
        catch
        {
            await cts.CancelAsync();
            try
            {
                await producer;
            }
            catch (OperationCanceledException)
            {
                // The producer stops because the write failed; the write's exception is the one to report.
            }

            throw;
        }

        await producer;
        stopwatch.Stop();
        progress?.Report(state.Progress(stopwatch.Elapsed));
        return new ImportResult(
            state.RowsWritten,
            state.Events,
            state.Accepted,
            state.Duplicates,
            state.Items,
            state.Users,
            state.RejectedWritten,
            state.RejectedSamples,
            stopwatch.Elapsed);
    }

    private static async Task Produce(IEnumerable<DatasetRecord> records, ChannelWriter<Batch> writer, int batchSize, State state, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            var batch = new Batch(batchSize);
            foreach (var record in records)
            {
                batch.Rows++;
                switch (record)
                {
                    case EventRecord e:
                        batch.Events.Add(e.Event);
                        break;
                    case ItemRecord i:
                        batch.Items.Add(i.Item);
                        break;
                    case UserRecord u:
                        batch.Users.Add(u.User);
                        break;
                    case RejectedRecord r:
                        batch.Rejected++;
                        state.Keep(r);
                        break;
                }

                if (batch.Events.Count >= batchSize || batch.Items.Count + batch.Users.Count >= batchSize)
                {
                    await writer.WriteAsync(batch, cancellationToken);
                    batch = new Batch(batchSize);
                }
            }

            if (batch.Rows > 0)
            {
                await writer.WriteAsync(batch, cancellationToken);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            writer.TryComplete(failure);
        }
    }

    private sealed class Batch(int capacity)
    {
        public List<Event> Events { get; } = new(capacity);

        public List<Item> Items { get; } = [];

        public List<User> Users { get; } = [];

        public long Rows { get; set; }

        public long Rejected { get; set; }
    }

    private sealed class State(int keep)
    {
        private readonly List<RejectedRecord> _samples = [];

        public long RowsWritten { get; set; }

        public long RejectedWritten { get; set; }

        public long Events { get; set; }

        public long Accepted { get; set; }

        public long Duplicates { get; set; }

        public long Items { get; set; }

        public long Users { get; set; }

        public IReadOnlyList<RejectedRecord> RejectedSamples
        {
            get
            {
                lock (_samples)
                {
                    return [.. _samples];
                }
            }
        }

        public void Keep(RejectedRecord r)
        {
            lock (_samples)
            {
                if (_samples.Count < keep)
                {
                    _samples.Add(r);
                }
            }
        }

        public ImportProgress Progress(TimeSpan elapsed) =>
            new(RowsWritten, Events, Accepted, Duplicates, Items, Users, RejectedWritten, elapsed);
    }
}
