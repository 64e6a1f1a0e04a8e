namespace Attune.Evaluation.Tuning;

/// <summary>
/// The default search space of each algorithm, keyed by algorithm name. Ranges follow the values the
/// literature reports as good on MovieLens-sized data (EASE: Steck 2019, Steck 2020 and Moon et al. 2023; GF-CF: Shen et al. 2021; ALS: Hu et al. 2008 and
/// implicit's defaults; BPR: Rendle et al. 2009; neighbours: Sarwar et al. 2001; RP3beta: Paudel et al. 2017). Names an algorithm's
/// options record does not have are ignored (see <see cref="SearchSpace.RestrictTo"/>), so alternative
/// spellings may sit side by side.
/// </summary>
public static class SearchSpaces
{
    private static readonly Dictionary<string, SearchSpace> Spaces = new(StringComparer.Ordinal)
    {
        ["ease"] = Space(
            "ease",
            ("lambda", ["50", "100", "200", "350", "500", "750", "1000", "2000"]),
            ("dropout", ["0", "0.1", "0.2", "0.33", "0.5", "0.6", "0.7", "0.8"]),
            ("diagonal", ["0", "0.2", "0.5", "1"])),
        ["user-ease"] = Space(
            "user-ease",
            ("lambda", ["10", "30", "100", "300", "1000"]),
            ("dropout", ["0", "0.2", "0.5"]),
            ("diagonal", ["0", "1"])),
        ["gf-cf"] = Space(
            "gf-cf",
            ("alpha", ["0.3", "1", "3"]),
            ("factors", ["16", "32", "64", "128", "256"])),
        ["als"] = Space(
            "als",
            ("factors", ["32", "64", "96", "128"]),
            ("regularization", ["0.01", "0.05", "0.1", "0.5", "1"]),
            ("alpha", ["1", "2", "5", "10", "20", "40"]),
            ("iterations", ["10", "15", "25"])),
        ["bpr"] = Space(
            "bpr",
            ("factors", ["32", "64", "128"]),
            ("learningRate", ["0.01", "0.025", "0.05", "0.1"]),
            ("regularization", ["0.0001", "0.001", "0.01"]),
            ("epochs", ["50", "100", "200"]),
            ("itemBias", ["true", "false"])),
        ["softmax"] = Space(
            "softmax",
            ("factors", ["32", "64", "128"]),
            ("learningRate", ["0.01", "0.05", "0.1"]),
            ("regularization", ["0.0001", "0.001", "0.01"]),
            ("negatives", ["5", "20", "50"]),
            ("epochs", ["10", "20", "40"])),
        ["item-knn"] = Space(
            "item-knn",
            ("neighbors", ["20", "50", "100", "200", "400"]),
            ("shrinkage", ["0", "10", "50", "100"]),
            ("weighting", ["None", "TfIdf", "Bm25"]),
            ("similarity", ["cosine", "jaccard", "asymmetric-cosine"]),
            ("alpha", ["0.2", "0.5", "0.8"])),
        ["rp3beta"] = Space(
            "rp3beta",
            ("neighbors", ["50", "100", "200", "400"]),
            ("alpha", ["0.5", "0.75", "1", "1.25"]),
            ("beta", ["0.2", "0.3", "0.4", "0.5", "0.6"])),
        ["user-knn"] = Space(
            "user-knn",
            ("neighbors", ["20", "50", "100", "200"]),
            ("k", ["20", "50", "100", "200"]),
            ("shrinkage", ["0", "10", "50"])),
        ["sequence"] = Space(
            "sequence",
            ("window", ["1", "3", "5", "8", "12"]),
            ("decay", ["0.5", "0.7", "0.85", "1"]),
            ("historyLength", ["3", "5", "10", "20"]),
            ("historyDecay", ["0.5", "0.7", "0.85", "1"]),
            ("coOccurrence", ["0", "0.25", "0.5"]),
            ("targetDiscount", ["0", "0.25", "0.5"])),
        ["content"] = Space(
            "content",
            ("titleWeight", ["0", "0.5", "1"]),
            ("categoryWeight", ["0.5", "1", "2"]),
            ("tagWeight", ["0", "0.5", "1"]),
            ("sublinearTf", ["true", "false"])),
    };

    public static IReadOnlyCollection<string> Algorithms => Spaces.Keys;

    /// <summary>The space for an algorithm, or null when none is declared.</summary>
    public static SearchSpace? Find(string algorithm) => Spaces.GetValueOrDefault(algorithm);

    private static SearchSpace Space(string algorithm, params (string Name, string[] Values)[] parameters) =>
        new(algorithm, [.. parameters.Select(p => new SearchParameter(p.Name, p.Values))]);
}
