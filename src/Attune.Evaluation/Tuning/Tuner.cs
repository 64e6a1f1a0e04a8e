using System.Diagnostics;
using Attune.Algorithms.Abstractions;
using Attune.Evaluation.Metrics;
using Attune.Evaluation.Running;
using Attune.Evaluation.Splits;

namespace Attune.Evaluation.Tuning;

/// <param name="Model">The algorithm, optionally with fixed options: <c>als</c> or <c>als:iterations=10</c>.</param>
/// <param name="Budget">Wall time for validation trials; checked before each trial starts.</param>
/// <param name="Metric">What is maximised on the validation split, e.g. <c>ndcg@10</c>.</param>
/// <param name="MaxTrials">An upper bound on trials besides the budget (null: the whole grid).</param>
/// <param name="Grid">
/// Replaces the declared search space: <c>lambda=200|500;dropout=0.3|0.5</c> (parameters separated by ';',
/// values by '|'); null keeps the algorithm's default space.
/// </param>
/// <param name="Folds">
/// Validation splits per trial: the training part re-split with seeds Seed + 1 ... Seed + Folds; a trial
/// scores the mean over them, which lowers the noise that decides between close settings.
/// </param>
public sealed record TuneOptions(string Model, TimeSpan Budget, string Metric = "ndcg@10", int Seed = 42, int? MaxTrials = null, string? Grid = null, int Folds = 1)
{
    public override string ToString() => $"model={Model} budget={Budget} metric={Metric} seed={Seed} maxTrials={MaxTrials?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "grid"} grid={Grid ?? "default"} folds={Folds}";
}

/// <summary>
/// One configuration tried on the validation split(s): the mean over folds, their sample standard deviation
/// (0 with one fold), every fold's score and the total fit time.
/// </summary>
public sealed record Trial(string Spec, string Options, double Validation, double FitSeconds, double Spread = 0, IReadOnlyList<double>? FoldScores = null);

/// <summary>The search's outcome: every trial, the best, and the best refitted on all training data and scored on test.</summary>
public sealed record TuneResult(string Algorithm, string Metric, SearchSpace Space, IReadOnlyList<Trial> Trials, Trial Best, ModelResult Test, double ElapsedSeconds);

/// <summary>
/// Random search over a declared grid (Bergstra and Bengio 2012: random trials find good settings faster
/// than a full grid when few parameters matter), the defaults tried first. Trials are scored on a
/// validation split carved out of the training part with the same protocol, never on the test part, which
/// is touched once, by the winner.
/// </summary>
public static class Tuner
{
    public static TuneResult Tune(EvaluationSplit split, SplitOptions protocol, TuneOptions options, IProgress<Trial>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (options.Folds < 1)
        {
            throw new EvaluationException($"--folds must be at least 1; got {options.Folds}.");
        }

        var (metric, k) = MetricNames.Parse(options.Metric);
        var key = MetricNames.At(metric, k);
        var (algorithm, _) = ModelEvaluator.ParseSpec(options.Model);
        var declared = options.Grid is null ? SearchSpaces.Find(algorithm.Name) ?? new SearchSpace(algorithm.Name, []) : ParseGrid(algorithm.Name, options.Grid);
        var known = declared.RestrictTo(algorithm);
        if (options.Grid is not null && known.Parameters.Count != declared.Parameters.Count)
        {
            var unknown = declared.Parameters.Select(p => p.Name).Except(known.Parameters.Select(p => p.Name), StringComparer.Ordinal);
            throw new EvaluationException($"--grid names options {algorithm.Name} does not have: {string.Join(", ", unknown)}.");
        }

        var space = known.Without(FixedNames(options.Model));
        var validations = Enumerable.Range(0, options.Folds).Select(f => ValidationSplit(split, protocol, f)).ToArray();
        var trials = new List<Trial>();
        var rng = new Random(options.Seed);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        // The defaults, when tried, are one trial beyond the grid, so the whole grid still fits.
        var limit = Math.Min(options.MaxTrials ?? long.MaxValue, space.GridSize + (options.Grid is null && space.Parameters.Count > 0 ? 1 : 0));
        foreach (var assignment in Candidates(space, rng, options.Grid is null))
        {
            if (trials.Count >= limit || (trials.Count > 0 && clock.Elapsed >= options.Budget))
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var spec = Compose(options.Model, assignment);
            if (!tried.Add(spec))
            {
                continue;
            }

            var (alg, opts) = ModelEvaluator.ParseSpec(spec);
            var scores = new double[validations.Length];
            var fitSeconds = 0.0;
            var described = "";
            for (var f = 0; f < validations.Length; f++)
            {
                var result = ModelEvaluator.Evaluate(validations[f], spec, data => alg.Fit(data, opts, null, cancellationToken), [k], cancellationToken);
                scores[f] = result.Metrics[key];
                fitSeconds += result.FitSeconds;
                described = result.Options;
            }

            var trial = new Trial(spec, described, scores.Average(), fitSeconds, Spread(scores), scores);
            trials.Add(trial);
            progress?.Report(trial);
        }

        var best = trials.OrderByDescending(t => t.Validation).ThenBy(t => trials.IndexOf(t)).First();
        var (bestAlg, bestOpts) = ModelEvaluator.ParseSpec(best.Spec);
        var test = ModelEvaluator.Evaluate(split, best.Spec, data => bestAlg.Fit(data, bestOpts, null, cancellationToken), [k], cancellationToken);
        return new TuneResult(algorithm.Name, key, space, trials, best, test, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Splits the training part again with the run's protocol (a fixed given split is re-split stratified),
    /// with seed outer + 1 + fold, so fold 0 is the single validation split of a one-fold run.
    /// </summary>
    public static EvaluationSplit ValidationSplit(EvaluationSplit split, SplitOptions protocol, int fold = 0)
    {
        var seed = protocol.Seed + 1 + fold;
        var inner = protocol.Protocol == Protocol.Given ? new SplitOptions(Protocol.Stratified, protocol.Ratio, seed) : protocol with { Seed = seed };
        return Splitter.Split(split.Train, inner);
    }

    /// <summary>Sample standard deviation (0 for fewer than two values).</summary>
    public static double Spread(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / (values.Count - 1));
    }

    /// <summary>Parses "name=v1|v2;name=v3" into a search space.</summary>
    public static SearchSpace ParseGrid(string algorithm, string grid)
    {
        var parameters = new List<SearchParameter>();
        foreach (var part in OptionsBinder.SplitTopLevel(grid, ';'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            string[] values = eq <= 0 ? [] : [.. OptionsBinder.SplitTopLevel(part[(eq + 1)..], '|')];
            if (values.Length == 0)
            {
                throw new EvaluationException($"--grid entry '{part}' must look like name=value|value.");
            }

            parameters.Add(new SearchParameter(part[..eq].Trim(), values));
        }

        return new SearchSpace(algorithm, parameters);
    }

    /// <summary>
    /// The defaults first (no assignment), then random grid points. A grid given on the command line is the
    /// whole space: its points only, the defaults not tried unless listed.
    /// </summary>
    private static IEnumerable<IReadOnlyList<(string Name, string Value)>> Candidates(SearchSpace space, Random rng, bool withDefaults)
    {
        if (withDefaults || space.Parameters.Count == 0)
        {
            yield return [];
        }

        if (space.Parameters.Count == 0)
        {
            yield break;
        }

        // Small grids are enumerated in a random order; large ones sampled (duplicates skipped by the caller).
        if (space.GridSize <= 4096)
        {
            var all = new List<IReadOnlyList<(string, string)>>();
            Enumerate(space.Parameters, 0, [], all);
            rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all));
            foreach (var a in all)
            {
                yield return a;
            }

            yield break;
        }

        for (var attempt = 0; attempt < space.GridSize * 4; attempt++)
        {
            yield return [.. space.Parameters.Select(p => (p.Name, p.Values[rng.Next(p.Values.Count)]))];
        }
    }

    private static void Enumerate(IReadOnlyList<SearchParameter> parameters, int at, List<(string, string)> current, List<IReadOnlyList<(string, string)>> all)
    {
        if (at == parameters.Count)
        {
            all.Add([.. current]);
            return;
        }

        foreach (var v in parameters[at].Values)
        {
            current.Add((parameters[at].Name, v));
            Enumerate(parameters, at + 1, current, all);
            current.RemoveAt(current.Count - 1);
        }
    }

    private static IEnumerable<string> FixedNames(string model)
    {
        var colon = model.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? []
            : model[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.Split('=', 2)[0]);
    }

    private static string Compose(string model, IReadOnlyList<(string Name, string Value)> assignment)
    {
        if (assignment.Count == 0)
        {
            return model;
        }

        var extra = string.Join(",", assignment.Select(a => $"{a.Name}={a.Value}"));
        return model.Contains(':', StringComparison.Ordinal) ? $"{model},{extra}" : $"{model}:{extra}";
    }
}
