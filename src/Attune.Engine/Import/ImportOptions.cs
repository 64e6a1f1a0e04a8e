namespace Attune.Engine.Import;

/// <param name="BatchSize">Records per write (capped by the sink's maximum).</param>
/// <param name="MaxRejectedKept">How many rejected rows are kept with their reasons for the report; all are counted.</param>
/// <param name="ProgressInterval">How often progress is reported at most.</param>
public sealed record ImportOptions(int BatchSize = 10_000, int MaxRejectedKept = 20, TimeSpan? ProgressInterval = null)
{
    public static ImportOptions Default { get; } = new();

    public TimeSpan EffectiveProgressInterval => ProgressInterval ?? TimeSpan.FromMilliseconds(250);

    public override string ToString() =>
        $"ImportOptions(batchSize={BatchSize}, maxRejectedKept={MaxRejectedKept}, progressInterval={EffectiveProgressInterval.TotalMilliseconds}ms)";
}

/// <summary>Where an import stands.</summary>
/// <param name="Rows">Records read from the source (events, items, users and rejected rows).</param>
public sealed record ImportProgress(long Rows, long Events, long Accepted, long Duplicates, long Items, long Users, long Rejected, TimeSpan Elapsed)
{
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? Rows / Elapsed.TotalSeconds : 0;
}

/// <summary>The outcome of an import.</summary>
/// <param name="Events">Events read (accepted + duplicates).</param>
/// <param name="Accepted">Events newly stored.</param>
/// <param name="Duplicates">Events whose id was already stored (a re-import) or repeated in the source.</param>
/// <param name="RejectedSamples">The first rejected rows, with line numbers and reasons.</param>
public sealed record ImportResult(
    long Rows,
    long Events,
    long Accepted,
    long Duplicates,
    long Items,
    long Users,
    long Rejected,
    IReadOnlyList<Datasets.RejectedRecord> RejectedSamples,
    TimeSpan Elapsed)
{
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? Rows / Elapsed.TotalSeconds : 0;

    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : 0;
}
