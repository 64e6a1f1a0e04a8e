using System.Globalization;
using System.Text;
using Attune.Algorithms.Abstractions;
using Attune.Evaluation;
using Attune.Evaluation.Metrics;
using Attune.Evaluation.Reports;
using Attune.Evaluation.Running;
using Attune.Evaluation.Splits;
using static Attune.Benchmarks.ScenarioArgs;

namespace Attune.Benchmarks;

/// <summary>
/// The quality "done when" checks through the evaluation harness, with Attune's figures beside the reference
/// figures of docs/REFERENCE (same protocol and metric definitions): ML-100K stratified 75/25 seed 42,
/// the CoLaKG ML-1M given split, and ML-1M users 1-2999 leave-last-out.
/// </summary>
/// <remarks>
/// Usage: quality [--only ml100k,colakg,ml1m-loo] [--out DIR] [--strict]. The model lists below are the
/// place to add a model or a blend. --strict exits 1 when a target is missed. Datasets are read from
/// ATTUNE_SHARED_DATA or shared/data.
/// </remarks>
public sealed class QualityScenario : IScenario
{
    private const string Ml100kBlend = "hybrid:components=(ease:lambda=500; item-knn; als),holdout=Random";
    private const string Ml100kBprBlend = "hybrid:components=(ease:lambda=500; bpr),holdout=Random";
    private const string Ml100kWideBlend = "hybrid:components=(ease:lambda=500; bpr; softmax; item-knn),holdout=Random";
    private const string ColakgBlend = "hybrid:components=(ease:lambda=500; als; item-knn),holdout=Random";
    private const string ColakgBprBlend = "hybrid:components=(ease:lambda=500; bpr; softmax),holdout=Random";
    private const string LooBlend = "hybrid:components=(sequence; ease:lambda=500),weights=(0.7; 0.3)";
    private const string LooTunedBlend = "hybrid:components=(sequence; ease:lambda=500)";

    /// <summary>The cases and their models; a reference figure is null where REFERENCE has none.</summary>
    private static readonly QualityCase[] Cases =
    [
        new(
            "ml100k",
            "ML-100K, stratified 75/25 seed 42, all ratings as positives",
            "movielens-100k",
            "movielens-100k",
            new SplitOptions(Protocol.Stratified, 0.75, 42),
            "ndcg@10",
            0.490,
            [
                new("popularity", 0.247, "numpy"),
                new("ease:lambda=500", 0.480, "numpy"),

                // dropout chosen by `attune tune --model ease` on a validation split of the training part.
                new("ease:lambda=500,dropout=0.33", null, null),

                // Every setting below chosen by `attune tune` on a validation split of the training part, the
                // blend's weights on a share holdout of it (commands in docs/benchmarks/quality.md).
                new("ease:lambda=500,dropout=0.33,diagonal=1", null, null),
                new("gf-cf:alpha=1,factors=32", null, null),
                new("user-ease:lambda=1000,dropout=0.2,diagonal=1", null, null),
                new("hybrid:components=(ease:lambda=500,dropout=0.33,diagonal=1; gf-cf:alpha=1,factors=32),holdout=Share", null, null),
                new("gf-cf:alpha=3,factors=16,exponent=0.4", null, null),
                new("hybrid:components=(ease:lambda=500,dropout=0.33,diagonal=1; gf-cf:alpha=3,factors=16,exponent=0.4),holdout=Share", null, null),

                // iALS setting and blend composition chosen by `attune tune --folds 3` (docs/benchmarks/quality.md).
                new("als:regularizationExponent=1,iterations=15,factors=256,regularization=0.03,alpha=10", null, null),
                new("hybrid:components=(ease:lambda=500,dropout=0.33,diagonal=1; gf-cf:alpha=1,factors=32; als:regularizationExponent=1,iterations=15,factors=256,regularization=0.03,alpha=10),holdout=Share,holdoutRepeats=3", null, null, Target: 0.490),
                new("bpr", 0.442, "cornac, published", Target: 0.44),
                new("als", null, null),
                new("softmax", null, null),
                new("item-knn", 0.382, "SAR, published"),
                new("rp3beta", null, null),
                new("hybrid:components=(ease:lambda=500; rp3beta),holdout=Random", null, null),
                new(Ml100kBlend, 0.475, "BiVAE, published"),
                new(Ml100kBprBlend, null, null),
                new(Ml100kWideBlend, null, null),
            ]),
        new(
            "colakg",
            "ML-1M implicit, given split (CoLaKG files)",
            "colakg",
            "movielens-1m/implicit-colakg",
            new SplitOptions(Protocol.Given),
            "ndcg@10",
            0.435,
            [
                new("popularity", null, null),
                new("ease:lambda=500", 0.427, "numpy"),

                // dropout chosen by `attune tune --model ease:lambda=500` on a validation split of the training part.
                new("ease:lambda=500,dropout=0.6", null, null),
                new("ease:lambda=500,dropout=0.6,diagonal=1", null, null),
                new("gf-cf:alpha=1,factors=64", null, null),
                new("hybrid:components=(ease:lambda=500,dropout=0.6,diagonal=1; gf-cf:alpha=1,factors=64),holdout=Share", null, null),

                // iALS setting and blend composition chosen by `attune tune --folds 3` (docs/benchmarks/quality.md).
                new("als:regularizationExponent=1,iterations=15,factors=128,regularization=0.01,alpha=3", null, null),
                new("hybrid:components=(ease:lambda=500,dropout=0.6,diagonal=1; gf-cf:alpha=1,factors=64; als:regularizationExponent=1,iterations=15,factors=128,regularization=0.01,alpha=3),holdout=Share", null, null, Target: 0.435),
                new("als:factors=64,iterations=15,regularization=0.05", 0.382, "implicit 0.7.3"),
                new("item-knn:neighbors=100", 0.296, "implicit 0.7.3 cosine"),
                new("rp3beta", null, null),
                new("bpr", 0.249, "implicit 0.7.3 untuned"),
                new("softmax", null, null),
                new(ColakgBlend, null, null),
                new("hybrid:components=(ease:lambda=500,dropout=0.6; als),holdout=Share", null, null),
                new(ColakgBprBlend, null, null),
            ]),
        new(
            "ml1m-loo",
            "ML-1M users 1-2999, leave-last-out, all ratings",
            "movielens-1m",
            "movielens-1m",
            new SplitOptions(Protocol.LeaveLastOut),
            "hr@10",
            0.29,
            [
                new("ease:lambda=500", 0.113, "numpy"),
                new("als", 0.104, "implicit"),
                new("item-knn:neighbors=100", 0.076, "implicit cosine"),
                new("sequence", 0.268, "numpy transitions"),
                new(LooBlend, 0.276, "numpy 0.7 x transitions + 0.3 x EASE"),
                new(LooTunedBlend, null, null),
            ]),
    ];

    public string Name => "quality";

    public string Description => "Offline quality (NDCG/P/R/HR@10) on ML-100K, CoLaKG ML-1M and ML-1M leave-last-out beside the reference figures.";

    public Task<int> RunAsync(string[] args)
    {
        var only = Arg(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var outDir = Arg(args, "--out");
        var strict = args.Contains("--strict");
        var root = DataRoot();
        var markdown = new StringBuilder();
        var missed = 0;
        markdown.AppendLine("## Offline quality against the reference figures");
        markdown.AppendLine();
        foreach (var c in Cases.Where(c => only is null || only.Contains(c.Key)))
        {
            var path = Path.Combine(root, c.Path);
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                markdown.AppendLine(CultureInfo.InvariantCulture, $"### {c.Title}: skipped, {path} not found").AppendLine();
                continue;
            }

            missed += RunCase(c, path, outDir, markdown);
        }

        markdown.AppendLine(Scenarios.MachineLine());
        Console.WriteLine(markdown.ToString());
        return Task.FromResult(strict && missed > 0 ? 1 : 0);
    }

    private static int RunCase(QualityCase c, string path, string? outDir, StringBuilder md)
    {
        Console.Error.WriteLine($"{c.Key}: loading {path}");
        var prepared = EvaluationInput.Prepare(c.Dataset, path, c.Split);
        var (metric, k) = MetricNames.Parse(c.Metric);
        int[] ks = [k];
        var results = new List<(QualityModel Model, ModelResult? Result, string? Error)>();
        foreach (var m in c.Models)
        {
            var name = m.Spec.Split(':', 2)[0];
            if (!AlgorithmRegistry.All.Any(a => a.Name == name))
            {
                results.Add((m, null, $"'{name}' is not registered in this build"));
                continue;
            }

            Console.Error.WriteLine($"{c.Key}: {m.Spec}");
            try
            {
                var report = ModelEvaluator.Evaluate(prepared.Dataset, prepared.Split, prepared.Protocol, [m.Spec], ks);
                results.Add((m, report.Models[0], null));
            }
            catch (Exception e) when (e is EvaluationException or ArgumentException or InvalidOperationException)
            {
                results.Add((m, null, e.Message));
            }
        }

        var s = prepared.Split;
        md.AppendLine(CultureInfo.InvariantCulture, $"### {c.Title}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{s.UserCount:N0} users x {s.ItemCount:N0} items, {s.Train.Count:N0} training rows, {s.TestInteractionCount:N0} test items, {s.EvaluatedUsers.Length:N0} users evaluated ({prepared.Protocol}).");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| model | NDCG@{k} | P@{k} | R@{k} | HR@{k} | reference {c.Metric} | fit s | recommend s | peak MB |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
        var missed = 0;
        foreach (var (m, r, error) in results)
        {
            var reference = m.Reference is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:F3} ({m.Source})") : "";
            if (r is null)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Spec} | - | - | - | - | {reference} | not run: {error} | | |");
                continue;
            }

            var x = r.Metrics.Metrics;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Spec} | {F(x, "ndcg", k)} | {F(x, "precision", k)} | {F(x, "recall", k)} | {F(x, "hr", k)} | {reference} | {r.FitSeconds:F2} | {r.RecommendSeconds:F2} | {r.PeakWorkingSetBytes / 1048576.0:F0} |");
            if (m.Target is { } t)
            {
                var value = r.Metrics[c.Metric];
                var ok = value >= t;
                missed += ok ? 0 : 1;
                md.AppendLine(CultureInfo.InvariantCulture, $"|  target for {m.Spec}: {c.Metric} >= {t:F3} | {(ok ? "met" : "MISSED")} ({value:F4}) | | | | | | | |");
            }
        }

        var ran = results.Where(x => x.Result is not null).ToList();
        md.AppendLine();
        if (ran.Count > 0)
        {
            var best = ran.MaxBy(x => x.Result!.Metrics[c.Metric]);
            var value = best.Result!.Metrics[c.Metric];
            var ok = value >= c.Target;
            missed += ok ? 0 : 1;
            md.AppendLine(CultureInfo.InvariantCulture, $"Best {c.Metric}: {value:F4} by `{best.Model.Spec}`; target >= {c.Target:F3}: **{(ok ? "met" : "missed")}**.");
        }
        else
        {
            missed++;
            md.AppendLine("No model ran.");
        }

        md.AppendLine();
        if (outDir is not null)
        {
            var report = ModelEvaluator.CreateReport(prepared.Dataset, s, prepared.Protocol, ks, [.. ran.Select(x => x.Result!)]);
            ReportFiles.Write(report, Path.Combine(outDir, c.Key));
        }

        return missed;
    }

    private static string F(IReadOnlyDictionary<string, double> metrics, string name, int k) =>
        metrics.TryGetValue(MetricNames.At(name, k), out var v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";

    /// <param name="Target">A per-model target on the case's metric, when the issue names one.</param>
    private sealed record QualityModel(string Spec, double? Reference, string? Source, double? Target = null);

    /// <param name="Target">What the best model or blend must reach on <paramref name="Metric"/>.</param>
    private sealed record QualityCase(string Key, string Title, string Dataset, string Path, SplitOptions Split, string Metric, double Target, QualityModel[] Models);
}
