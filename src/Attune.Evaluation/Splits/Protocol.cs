namespace Attune.Evaluation.Splits;

/// <summary>How interactions are divided into what a model learns from and what it is judged on.</summary>
public enum Protocol
{
    /// <summary>Per user, a seeded shuffle keeps round(ratio * n) rows for training.</summary>
    Stratified,

    /// <summary>Per user, the latest row (ties by file order) is the test row.</summary>
    LeaveLastOut,

    /// <summary>All rows by time; the first round(ratio * n) train, the rest test.</summary>
    Temporal,

    /// <summary>A train/test pair fixed by the dataset's authors.</summary>
    Given,
}

public static class Protocols
{
    public static Protocol Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "stratified" or "random" => Protocol.Stratified,
        "leave-last-out" or "leave-one-out" or "loo" => Protocol.LeaveLastOut,
        "temporal" or "time" => Protocol.Temporal,
        "given" => Protocol.Given,
        _ => throw new EvaluationException($"Unknown protocol '{text}'. Known: stratified, leave-last-out, temporal, given."),
    };

    public static string Name(this Protocol protocol) => protocol switch
    {
        Protocol.Stratified => "stratified",
        Protocol.LeaveLastOut => "leave-last-out",
        Protocol.Temporal => "temporal",
        Protocol.Given => "given",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };
}
