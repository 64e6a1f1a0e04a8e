using System.CommandLine;
using System.Globalization;
using Attune.Evaluation;
using Attune.Evaluation.Data;
using Attune.Evaluation.Splits;
using Attune.Storage.Sqlite;

namespace Attune.Cli.Evaluation;

/// <summary>The dataset and protocol options that <c>evaluate</c> and <c>tune</c> share, and how they become a split.</summary>
internal sealed class EvaluationArguments
{
    public Option<string?> Dataset { get; } = new("--dataset")
    {
        Description = $"Dataset format: {string.Join(", ", EvaluationInput.DatasetNames)} (colakg: a folder with train.txt and test.txt).",
    };

    public Option<string?> DataPath { get; } = new("--path") { Description = "The dataset file or folder." };

    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Evaluate on the events of an Attune data directory instead of a dataset file." };

    public Option<string> Protocol { get; } = new("--protocol")
    {
        Description = "stratified (per-user random split), leave-last-out, temporal, or given (the dataset's own train/test pair).",
        DefaultValueFactory = _ => "stratified",
    };

    public Option<double?> Ratio { get; } = new("--ratio") { Description = "Training share for stratified (default 0.75) and temporal (default 0.8) splits." };

    public Option<int> Seed { get; } = new("--seed") { Description = "Shuffle seed of the stratified split.", DefaultValueFactory = _ => 42 };

    public Option<double?> MinRating { get; } = new("--min-rating") { Description = "Keep only ratings at or above this value as positives (default: every rating counts)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Dataset);
        command.Options.Add(DataPath);
        command.Options.Add(DataDir);
        command.Options.Add(Protocol);
        command.Options.Add(Ratio);
        command.Options.Add(Seed);
        command.Options.Add(MinRating);
    }

    public SplitOptions SplitOptions(ParseResult parse)
    {
        var protocol = Protocols.Parse(parse.GetValue(Protocol) ?? "stratified");
        var ratio = parse.GetValue(Ratio) ?? (protocol == Attune.Evaluation.Splits.Protocol.Temporal ? 0.8 : 0.75);
        var options = new SplitOptions(protocol, ratio, parse.GetValue(Seed));
        options.Validate();
        return options;
    }

    public async Task<PreparedSplit> PrepareAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var split = SplitOptions(parse);
        var load = new LoadOptions(parse.GetValue(MinRating));
        var dataDir = parse.GetValue(DataDir);
        var dataset = parse.GetValue(Dataset);
        var path = parse.GetValue(DataPath);
        if (dataDir is not null)
        {
            if (dataset is not null || path is not null)
            {
                throw new EvaluationException("Give either --data-dir or --dataset with --path, not both.");
            }

            return await FromStoreAsync(dataDir, split, load, cancellationToken);
        }

        if (dataset is null || path is null)
        {
            throw new EvaluationException("Give --dataset and --path (or --data-dir for a store's own events).");
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new EvaluationException($"Path '{path}' does not exist.");
        }

        return EvaluationInput.Prepare(dataset, path, split, load, cancellationToken);
    }

    private static async Task<PreparedSplit> FromStoreAsync(string dataDir, SplitOptions split, LoadOptions load, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(dataDir, "attune.db")))
        {
            throw new EvaluationException($"No Attune store in '{dataDir}' (attune.db not found).");
        }

        if (split.Protocol == Attune.Evaluation.Splits.Protocol.Given)
        {
            throw new EvaluationException("A store's events have no fixed train/test pair: use stratified, leave-last-out or temporal.");
        }

        await using var store = await SqliteStore.OpenAsync(dataDir, cancellationToken: cancellationToken);
        var snapshot = await store.Events.ReadSnapshotAsync(cancellationToken: cancellationToken);
        var (rows, summary) = InteractionLoader.FromSnapshot(snapshot, load);
        if (rows.Count == 0)
        {
            throw new EvaluationException($"The store in '{dataDir}' has no positive interactions to evaluate on.");
        }

        return new PreparedSplit($"store {dataDir}", split.ToString(), Splitter.Split(rows, split), summary);
    }

    /// <summary>"10,20" into [10, 20].</summary>
    public static int[] ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k <= 0)
            {
                throw new EvaluationException($"--k takes positive integers separated by commas, e.g. 10,20; got '{part}'.");
            }

            if (!ks.Contains(k))
            {
                ks.Add(k);
            }
        }

        return ks.Count == 0 ? throw new EvaluationException("--k needs at least one cut-off, e.g. 10.") : [.. ks];
    }

    /// <summary>
    /// Model specs separated by commas or semicolons outside parentheses. After a comma, a name=value part
    /// belongs to the previous spec's options ("als:factors=64,iterations=15"); after a semicolon a new spec
    /// always starts. Parentheses group lists inside an option ("hybrid:components=(ease; item-knn)").
    /// </summary>
    public static string[] ParseModels(string text)
    {
        var specs = new List<string>();
        var depth = 0;
        var start = 0;
        var separator = ';';
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ';';
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0 && c is ',' or ';')
            {
                var part = text[start..i].Trim();
                if (part.Length > 0)
                {
                    var isOption = separator == ',' && specs.Count > 0 && IsAssignment(part);
                    if (isOption)
                    {
                        specs[^1] += "," + part;
                    }
                    else
                    {
                        specs.Add(part);
                    }
                }

                separator = c;
                start = i + 1;
            }
        }

        if (depth != 0 || text.Count(ch => ch == '(') != text.Count(ch => ch == ')'))
        {
            throw new EvaluationException($"--models has unbalanced parentheses: '{text}'.");
        }

        return specs.Count == 0 ? throw new EvaluationException("--models needs at least one model, e.g. ease,als:factors=64.") : [.. specs];
    }

    private static bool IsAssignment(string part)
    {
        var eq = part.IndexOf('=', StringComparison.Ordinal);
        var colon = part.IndexOf(':', StringComparison.Ordinal);
        return eq > 0 && (colon < 0 || colon > eq);
    }
}
