using Attune.Evaluation.Metrics;

namespace Attune.Evaluation.Running;

/// <summary>One model's run: what was fitted, how long it took, how much memory, and every metric.</summary>
/// <param name="Name">The model spec as given, e.g. <c>als:factors=64</c>.</param>
/// <param name="Options">The trained model's one-line options string (every hyper-parameter).</param>
/// <param name="PeakWorkingSetBytes">The process's peak resident memory so far (it never goes down, so it bounds this model's peak from above).</param>
/// <param name="AllocatedBytes">Managed bytes allocated while fitting and recommending.</param>
public sealed record ModelResult(
    string Name,
    string Algorithm,
    string Options,
    double FitSeconds,
    double RecommendSeconds,
    long PeakWorkingSetBytes,
    long AllocatedBytes,
    int UnknownUsers,
    MetricResults Metrics);

/// <summary>Everything an evaluation run produced, with the facts needed to reproduce it.</summary>
public sealed record EvaluationReport(
    string Dataset,
    string Protocol,
    int Users,
    int Items,
    int TrainInteractions,
    int TestInteractions,
    int EvaluatedUsers,
    IReadOnlyList<int> Ks,
    IReadOnlyList<ModelResult> Models,
    DateTimeOffset Created,
    string Machine);
