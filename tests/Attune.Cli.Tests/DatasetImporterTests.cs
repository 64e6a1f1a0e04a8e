using Attune.Core;
using Attune.Datasets;
using Attune.Engine.Import;
using Attune.Storage;

namespace Attune.Cli.Tests;

public sealed class DatasetImporterTests
{
    [Fact]
    public async Task Writes_in_batches_with_items_and_users_before_the_events_of_their_batch()
    {
        var sink = new RecordingSink();
        var records = new List<DatasetRecord>
        {
            new ItemRecord(new Item("i1"), "f", 1),
            new UserRecord(new User("u1"), "f", 2),
        };
        records.AddRange(Enumerable.Range(0, 25).Select(n => (DatasetRecord)new EventRecord(Ev(n), "f", 3 + n)));

        var result = await new DatasetImporter(new ImportOptions(BatchSize: 10)).ImportAsync(records, sink);

        Assert.Equal([10, 10, 5], sink.EventBatches);
        Assert.Equal(["items", "users", "events", "events", "events"], sink.Calls);
        Assert.Equal((27L, 25L, 25L, 0L, 1L, 1L), (result.Rows, result.Events, result.Accepted, result.Duplicates, result.Items, result.Users));
    }

    [Fact]
    public async Task Counts_every_rejected_row_but_keeps_only_the_first_few_with_line_numbers()
    {
        var records = Enumerable.Range(1, 50).Select(n => (DatasetRecord)new RejectedRecord($"bad {n}", "f", n)).Append(new EventRecord(Ev(0), "f", 51));

        var result = await new DatasetImporter(new ImportOptions(MaxRejectedKept: 3)).ImportAsync(records, new RecordingSink());

        Assert.Equal(50, result.Rejected);
        Assert.Equal([1L, 2L, 3L], result.RejectedSamples.Select(r => r.Line));
        Assert.Equal(1, result.Accepted);
    }

    [Fact]
    public async Task Duplicates_reported_by_the_sink_are_counted_not_accepted()
    {
        var sink = new RecordingSink();
        var records = Enumerable.Range(0, 5).Select(n => (DatasetRecord)new EventRecord(Ev(n % 2), "f", n + 1)).ToList();

        var result = await new DatasetImporter().ImportAsync(records, sink);

        Assert.Equal((2L, 3L), (result.Accepted, result.Duplicates));
    }

    [Fact]
    public async Task A_failing_write_stops_the_import_with_its_exception()
    {
        var sink = new RecordingSink { FailOnBatch = 2 };
        var records = Enumerable.Range(0, 100).Select(n => (DatasetRecord)new EventRecord(Ev(n), "f", n + 1));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => new DatasetImporter(new ImportOptions(BatchSize: 10)).ImportAsync(records, sink));

        Assert.Equal("disk full", ex.Message);
        Assert.Single(sink.EventBatches);
    }

    [Fact]
    public async Task A_failing_reader_stops_the_import_with_its_exception()
    {
        static IEnumerable<DatasetRecord> Broken()
        {
            yield return new EventRecord(Ev(0), "f", 1);
            throw new DatasetException("f line 2: header has no 'user' column");
        }

        var ex = await Assert.ThrowsAsync<DatasetException>(() => new DatasetImporter().ImportAsync(Broken(), new RecordingSink()));

        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_ends_with_the_final_counts()
    {
        var reports = new List<ImportProgress>();
        var progress = new SyncProgress(reports.Add);
        var records = Enumerable.Range(0, 30).Select(n => (DatasetRecord)new EventRecord(Ev(n), "f", n + 1));

        await new DatasetImporter(new ImportOptions(BatchSize: 10, ProgressInterval: TimeSpan.Zero)).ImportAsync(records, new RecordingSink(), progress);

        Assert.Equal(30, reports[^1].Rows);
        Assert.Equal(30, reports[^1].Accepted);
        Assert.True(reports.Count >= 3);
    }

    private static Event Ev(int n) => new($"e{n}", "u1", "i1", EventTypes.View, null, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + n));

    private sealed class SyncProgress(Action<ImportProgress> action) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => action(value);
    }

    private sealed class RecordingSink : IImportSink
    {
        private readonly HashSet<string> _ids = [];

        public List<string> Calls { get; } = [];

        public List<int> EventBatches { get; } = [];

        public int FailOnBatch { get; init; } = -1;

        public int MaxBatchSize => 1_000;

        public Task UpsertItemsAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken)
        {
            Calls.Add("items");
            return Task.CompletedTask;
        }

        public Task UpsertUsersAsync(IReadOnlyList<User> users, CancellationToken cancellationToken)
        {
            Calls.Add("users");
            return Task.CompletedTask;
        }

        public Task<AppendResult> AppendEventsAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken)
        {
            if (EventBatches.Count + 1 == FailOnBatch)
            {
                throw new InvalidOperationException("disk full");
            }

            Calls.Add("events");
            EventBatches.Add(events.Count);
            var accepted = events.Count(e => _ids.Add(e.Id!));
            return Task.FromResult(new AppendResult(accepted, events.Count - accepted));
        }
    }
}
