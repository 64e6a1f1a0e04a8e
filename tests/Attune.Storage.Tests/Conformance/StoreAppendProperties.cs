using Attune.Core;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Attune.Storage.Tests.Conformance;

/// <summary>Idempotency as a property: whatever the batches and however ids repeat, each id is stored once.</summary>
public abstract partial class StoreConformanceTests
{
    [Property(MaxTest = 25)]
    public async Task<bool> Random_batches_with_repeated_ids_store_each_distinct_id_once(int[] draws, PositiveInt batchSize)
    {
        // A draw divisible by 5 is an event without id (always stored); others pick one of 20 ids.
        var events = draws.Select((d, k) => new Event(
            d % 5 == 0 ? null : "e" + Math.Abs(d % 20), "u" + Math.Abs(d % 3), "i" + Math.Abs(d % 7), EventTypes.View, null,
            T0.AddMilliseconds(k))).ToList();
        var expected = events.Where(e => e.Id is not null).Select(e => e.Id).Distinct().Count() + events.Count(e => e.Id is null);
        var store = await CreateStoreAsync();
        try
        {
            var accepted = 0;
            var duplicates = 0;
            foreach (var chunk in events.Chunk(Math.Min(batchSize.Get, 50)))
            {
                var r = await store.Events.AppendAsync(chunk);
                accepted += r.Accepted;
                duplicates += r.Duplicates;
            }

            var stats = await store.Events.GetStatsAsync();
            var snapshot = await store.Events.ReadSnapshotAsync();
            return accepted == expected
                && duplicates == events.Count - expected
                && stats.Events == expected
                && snapshot.Count == expected;
        }
        finally
        {
            await store.DisposeAsync();
        }
    }
}
