using System.Globalization;
using Attune.Experiments.Statistics;

namespace Attune.Experiments.OffPolicy;

/// <summary>The off-policy estimate of the Open Bandit Dataset's Bernoulli TS policy from its uniform-random logs, next to the truth.</summary>
/// <param name="Report">Every estimator's value and interval, from the random logs.</param>
/// <param name="OnPolicyCtr">The click rate observed in the bts logs (the value being estimated).</param>
/// <param name="OnPolicyLower">Lower end of the Wald interval of the observed click rate.</param>
/// <param name="OnPolicyUpper">Upper end.</param>
public sealed record OpenBanditResult(OpeReport Report, double OnPolicyCtr, double OnPolicyLower, double OnPolicyUpper, int BtsRows);

/// <summary>
/// Off-policy evaluation on the Open Bandit Dataset (Saito et al., arXiv 2008.07146): estimate the click rate of
/// the Bernoulli Thompson sampling (bts) policy from the logs of the uniform-random policy.
/// </summary>
/// <remarks>
/// An action is an item shown at a given position (3 positions, 34 items); the context is the position
/// (one-hot), so the reward model is a per-item ridge regression on the position, i.e. smoothed per-(item,
/// position) click rates. The bts policy is not contextual; its probability of item i at position k is taken as
/// the share of the bts impressions at k that showed i (its time-averaged action distribution; the logged bts
/// propensities vary as its posterior was updated in batches). The logging propensities are the random logs'
/// own (1/34). The truth is the bts logs' own click rate, itself a noisy estimate (69 clicks in 10,000).
/// </remarks>
public static class OpenBanditEvaluation
{
    private const int Positions = 3;

    /// <summary>One impression: item, position (0-based), click, logged propensity.</summary>
    public readonly record struct Impression(int Item, int Position, int Click, double Propensity);

    public static OpenBanditResult Run(string randomCsv, string btsCsv, double alpha = 0.05)
    {
        var random = Read(randomCsv);
        var bts = Read(btsCsv);
        var items = Math.Max(random.Max(r => r.Item), bts.Max(r => r.Item)) + 1;
        var counts = new double[Positions, items];
        var perPosition = new double[Positions];
        foreach (var r in bts)
        {
            counts[r.Position, r.Item]++;
            perPosition[r.Position]++;
        }

        var logs = new List<LoggedDecision>(random.Count);
        foreach (var r in random)
        {
            var x = new double[Positions];
            x[r.Position] = 1;
            logs.Add(new LoggedDecision(x, r.Item, r.Propensity, r.Click));
        }

        var model = RidgeRewardModel.Fit(logs, items, Positions, lambda: 1);
        TargetPolicy target = (row, _, p) =>
        {
            var k = random[row].Position;
            for (var i = 0; i < items; i++)
            {
                p[i] = counts[k, i] / perPosition[k];
            }
        };
        var report = OffPolicyEvaluator.Evaluate(logs, items, target, model, alpha);
        var clicks = bts.Sum(r => r.Click);
        var ctr = (double)clicks / bts.Count;
        var se = Math.Sqrt(ctr * (1 - ctr) / bts.Count);
        var z = Distributions.NormalQuantile(1 - (alpha / 2));
        return new OpenBanditResult(report, ctr, ctr - (z * se), ctr + (z * se), bts.Count);
    }

    /// <summary>Reads <c>,timestamp,item_id,position,click,propensity_score,...</c> rows; positions are 1-based in the file.</summary>
    public static List<Impression> Read(string path)
    {
        var rows = new List<Impression>();
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty.");
        var columns = header.Split(',');
        int item = Array.IndexOf(columns, "item_id"), position = Array.IndexOf(columns, "position"), click = Array.IndexOf(columns, "click"), propensity = Array.IndexOf(columns, "propensity_score");
        if (item < 0 || position < 0 || click < 0 || propensity < 0)
        {
            throw new InvalidDataException($"{path}: the header lacks item_id, position, click or propensity_score.");
        }

        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            var f = text.Split(',', Math.Max(Math.Max(item, position), Math.Max(click, propensity)) + 2);
            if (f.Length <= Math.Max(Math.Max(item, position), Math.Max(click, propensity))
                || !int.TryParse(f[item], CultureInfo.InvariantCulture, out var i)
                || !int.TryParse(f[position], CultureInfo.InvariantCulture, out var k)
                || !int.TryParse(f[click], CultureInfo.InvariantCulture, out var c)
                || !double.TryParse(f[propensity], NumberStyles.Float, CultureInfo.InvariantCulture, out var p)
                || i < 0 || k is < 1 or > Positions || c is < 0 or > 1 || !(p > 0 && p <= 1))
            {
                throw new InvalidDataException($"{path} line {line}: expected item_id >= 0, position 1-{Positions}, click 0/1 and a propensity in (0, 1].");
            }

            rows.Add(new Impression(i, k - 1, c, p));
        }

        return rows;
    }
}
