using Attune.Core;
using Attune.Datasets;

namespace Attune.Evaluation.Data;

/// <summary>What a load kept and what it skipped, for the report and for warnings.</summary>
public sealed record LoadSummary(long Events, long Kept, long Rejected, IReadOnlyList<string> FirstRejections);

/// <summary>Turns dataset records or a store snapshot into evaluation rows (positive events only).</summary>
public static class InteractionLoader
{
    private const int RejectionSamples = 5;

    public static (Interactions Rows, LoadSummary Summary) FromRecords(IEnumerable<DatasetRecord> records, LoadOptions? options = null)
    {
        options ??= LoadOptions.Default;
        var registry = options.Registry;
        var builder = new InteractionsBuilder();
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        long events = 0, rejected = 0;
        var samples = new List<string>();
        foreach (var record in records)
        {
            switch (record)
            {
                case ItemRecord ir:
                    builder.SetCategories(ir.Item.Id, ir.Item.Categories);
                    break;
                case RejectedRecord rr:
                    rejected++;
                    if (samples.Count < RejectionSamples)
                    {
                        samples.Add(rr.ToString());
                    }

                    break;
                case EventRecord er:
                    events++;
                    var e = er.Event;
                    if (e.ItemId is null || (options.MinRating is { } min && e.Type == EventTypes.Rating && e.Value is { } v && v < min))
                    {
                        break;
                    }

                    if (!weights.TryGetValue(e.Type, out var w))
                    {
                        w = registry.SignedWeight(e.Type);
                        weights.Add(e.Type, w);
                    }

                    if (w > 0f)
                    {
                        builder.Add(e.UserId, e.ItemId, e.Timestamp.ToUnixTimeMilliseconds(), w);
                    }

                    break;
            }
        }

        return (builder.Build(), new LoadSummary(events, builder.Count, rejected, samples));
    }

    /// <summary>Rows from a store's snapshot (already in log order), keeping positive events only.</summary>
    public static (Interactions Rows, LoadSummary Summary) FromSnapshot(InteractionSnapshot snapshot, LoadOptions? options = null)
    {
        options ??= LoadOptions.Default;
        var typeWeight = new float[snapshot.Types.Length];
        for (var t = 0; t < typeWeight.Length; t++)
        {
            typeWeight[t] = options.Registry.SignedWeight(snapshot.Types[t]);
        }

        var isRating = Array.ConvertAll(snapshot.Types, t => t == EventTypes.Rating);
        var builder = new InteractionsBuilder();
        for (var r = 0; r < snapshot.Count; r++)
        {
            var w = typeWeight[snapshot.TypeIndex[r]];
            var value = snapshot.Value[r];
            if (w <= 0f || (options.MinRating is { } min && isRating[snapshot.TypeIndex[r]] && !float.IsNaN(value) && value < min))
            {
                continue;
            }

            builder.Add(snapshot.UserIds[snapshot.UserIndex[r]], snapshot.ItemIds[snapshot.ItemIndex[r]], snapshot.TimestampMs[r], w);
        }

        return (builder.Build(), new LoadSummary(snapshot.Count, builder.Count, 0, []));
    }
}
