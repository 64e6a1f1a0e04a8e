using Attune.Datasets;
using Attune.Evaluation.Data;
using Attune.Evaluation.Splits;

namespace Attune.Evaluation;

/// <summary>A prepared split and how it came about, for reports.</summary>
public sealed record PreparedSplit(string Dataset, string Protocol, EvaluationSplit Split, LoadSummary? Load);

/// <summary>
/// Turns the command line's dataset and protocol into a split: a dataset format read through
/// <see cref="DatasetFormats"/> and split by a protocol, or a fixed train/test pair for <c>given</c>.
/// </summary>
public static class EvaluationInput
{
    /// <summary>The dataset name of a fixed LightGCN-style train/test pair (a folder with train.txt and test.txt).</summary>
    public const string GivenPair = "colakg";

    public static IEnumerable<string> DatasetNames => DatasetFormats.Names.Append(GivenPair);

    public static PreparedSplit Prepare(string dataset, string path, SplitOptions split, LoadOptions? load = null, CancellationToken cancellationToken = default)
    {
        split.Validate();
        if (IsGivenPair(dataset))
        {
            var (train, test) = GivenSplitReader.ReadFolder(path);
            return split.Protocol switch
            {
                Protocol.Given => new PreparedSplit(dataset, Protocol.Given.Name(), new EvaluationSplit(train, test), null),
                Protocol.Stratified => new PreparedSplit(dataset, split.ToString(), Splitter.Split(Concat(train, test), split), null),
                _ => throw new EvaluationException($"Dataset '{dataset}' has no timestamps: use --protocol given (its own split) or stratified."),
            };
        }

        if (split.Protocol == Protocol.Given)
        {
            throw new EvaluationException($"--protocol given needs a fixed train/test pair (--dataset {GivenPair}); '{dataset}' is split by stratified, leave-last-out or temporal.");
        }

        var (rows, summary) = Read(dataset, path, load, cancellationToken);
        return new PreparedSplit(dataset, split.ToString(), Splitter.Split(rows, split), summary);
    }

    /// <summary>Reads a dataset format's positive interactions.</summary>
    public static (Interactions Rows, LoadSummary Summary) Read(string dataset, string path, LoadOptions? load = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var format = DatasetFormats.Find(dataset)
                ?? throw new EvaluationException($"Unknown dataset '{dataset}'. Known: {string.Join(", ", DatasetNames)}.");
            var result = InteractionLoader.FromRecords(format.Read(path, null, cancellationToken), load);
            if (result.Rows.Count == 0)
            {
                throw new EvaluationException($"Dataset '{dataset}' at '{path}' has no positive interactions to evaluate on ({result.Summary.Events} events read, {result.Summary.Rejected} rows rejected).");
            }

            return result;
        }
        catch (DatasetException e)
        {
            throw new EvaluationException(e.Message, e);
        }
        catch (IOException e)
        {
            throw new EvaluationException($"Could not read '{path}': {e.Message}", e);
        }
    }

    private static bool IsGivenPair(string dataset) =>
        string.Equals(dataset, GivenPair, StringComparison.OrdinalIgnoreCase) || string.Equals(dataset, "given", StringComparison.OrdinalIgnoreCase);

    private static Interactions Concat(Interactions a, Interactions b) =>
        new(a.Users, a.Items, [.. a.User, .. b.User], [.. a.Item, .. b.Item], [.. a.TimestampMs, .. b.TimestampMs], [.. a.Weight, .. b.Weight], a.ItemFeatures);
}
