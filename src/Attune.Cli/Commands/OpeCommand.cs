using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attune.Engine.Campaigns;
using Attune.Engine.Options;
using Attune.Experiments.OffPolicy;

namespace Attune.Cli.Commands;

/// <summary><c>attune ope</c>: off-policy estimates (IPS, SNIPS, DM, DR) of a candidate policy from logged decisions.</summary>
internal sealed class OpeCommand : ICliCommand
{
    public int Order => 76;

    public Command Create()
    {
        var command = new Command("ope", "Estimate a candidate policy's value from logged decisions (IPS, self-normalized IPS, direct method, doubly robust) with confidence intervals.");
        var logs = new Option<string?>("--logs")
        {
            Description = "JSON-lines file, one decision a line: {\"context\":[...],\"action\":0,\"propensity\":0.33,\"reward\":1}.",
            HelpName = "FILE",
        };
        var arms = new Option<int>("--arms") { Description = "Number of actions (default: the largest logged action + 1)." };
        var target = new Option<string>("--target") { Description = "Candidate policy: greedy (the reward model's best action), uniform, or a policy spec such as fixed:weights=0,1,0.", DefaultValueFactory = _ => "greedy" };
        var openBandit = new Option<string?>("--open-bandit")
        {
            Description = "Folder of the Open Bandit Dataset (holding random/ and bts/): estimate the bts policy from the random logs and compare with its own click rate.",
            HelpName = "DIR",
        };
        var campaign = new Option<string>("--campaign") { Description = "Campaign of the Open Bandit Dataset.", DefaultValueFactory = _ => "men" };
        var alpha = new Option<double>("--alpha") { Description = "1 - confidence level of the intervals.", DefaultValueFactory = _ => 0.05 };
        var campaignId = new Option<string?>("--campaign-id")
        {
            Description = "Evaluate over this campaign's own decisions log in the data folder (decisions with their propensities, rewards from credited goal events); --target may also be variant:ID.",
            HelpName = "ID",
        };
        var from = new Option<DateTimeOffset?>("--from") { Description = "With --campaign-id: first decision time (default: everything retained)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "With --campaign-id: decisions before this time (default: now)." };
        var dataDir = CommonOptions.DataDir();
        foreach (var o in new Option[] { logs, arms, target, openBandit, campaign, alpha, campaignId, from, to, dataDir })
        {
            command.Options.Add(o);
        }

        command.Validators.Add(r =>
        {
            var sources = (r.GetValue(logs) is null ? 0 : 1) + (r.GetValue(openBandit) is null ? 0 : 1) + (r.GetValue(campaignId) is null ? 0 : 1);
            if (sources != 1)
            {
                r.AddError("Give one of --logs FILE, --open-bandit DIR or --campaign-id ID.");
            }
        });
        command.SetAction(parseResult =>
        {
            var env = CliEnvironment.From(parseResult);
            var a = parseResult.GetValue(alpha);
            if (!(a > 0 && a < 0.5))
            {
                return env.Fail("--alpha must be in (0, 0.5).");
            }

            try
            {
                if (parseResult.GetValue(openBandit) is { } dir)
                {
                    var c = parseResult.GetValue(campaign)!;
                    var result = OpenBanditEvaluation.Run(Path.Combine(dir, "random", c, c + ".csv"), Path.Combine(dir, "bts", c, c + ".csv"), a);
                    env.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bts on-policy click rate: {result.OnPolicyCtr:F5} [{result.OnPolicyLower:F5}, {result.OnPolicyUpper:F5}] ({result.BtsRows} impressions)"));
                    Print(env.Output, result.Report, result.OnPolicyCtr);
                    return ExitCodes.Ok;
                }

                if (parseResult.GetValue(campaignId) is { } id)
                {
                    return EvaluateCampaign(env, env.DataDir(parseResult.GetValue(dataDir)), id, parseResult.GetValue(target)!, parseResult.GetValue(from), parseResult.GetValue(to), a);
                }

                var rows = ReadLogs(parseResult.GetValue(logs)!);
                var n = parseResult.GetValue(arms);
                n = n > 0 ? n : rows.Max(r => r.Action) + 1;
                OffPolicyEvaluator.Validate(rows, n);
                var dimension = rows[0].Context.Length;
                var model = RidgeRewardModel.Fit(rows, n, dimension);
                var report = OffPolicyEvaluator.Evaluate(rows, n, TargetPolicies.Create(parseResult.GetValue(target)!, n, dimension, model), model, a);
                Print(env.Output, report, null);
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or FormatException or UnauthorizedAccessException)
            {
                return env.Fail(ex.Message);
            }
        });
        return command;
    }

    private static int EvaluateCampaign(CliEnvironment env, string dataDir, string id, string target, DateTimeOffset? from, DateTimeOffset? to, double alpha)
    {
        var root = Path.Combine(dataDir, "campaigns");
        if (!File.Exists(Path.Combine(root, "campaigns.json")))
        {
            return env.Fail($"{dataDir} holds no campaigns.");
        }

        var campaigns = new CampaignRepository(root);
        if (campaigns.Current.Get(id) is not { } campaign)
        {
            return env.Fail($"campaign '{id}' does not exist in {dataDir}.");
        }

        var options = new CampaignOptions();
        var now = DateTimeOffset.UtcNow;
        try
        {
            var result = CampaignOffPolicy.Evaluate(campaign, Path.Combine(root, "decisions"), target, from ?? DateTimeOffset.MinValue, to ?? now.AddTicks(1), now, options.AttributionWindow, alpha);
            env.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"campaign {result.CampaignId} (variants {string.Join(", ", result.Variants)}), target {result.Target}: {result.Decisions} decisions, {result.Rewarded} rewarded, {result.Skipped} skipped (other variants), {result.Open} still inside the attribution window"));
            Print(env.Output, result.Report, null);
            return ExitCodes.Ok;
        }
        catch (CampaignOpeException ex)
        {
            return env.Fail(ex.Message);
        }
    }

    private static void Print(TextWriter o, OpeReport report, double? truth)
    {
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logged decisions: {report.Rows}, logged value: {report.LoggedValue:F5}, effective sample size: {report.EffectiveSampleSize:F0}, max weight: {report.MaxWeight:F2}"));
        o.WriteLine($"{"estimator",-10} {"value",10} {"lower",10} {"upper",10}{(truth is null ? "" : "  covers on-policy")}");
        foreach (var e in report.Estimates)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.Estimator,-10} {e.Value,10:F5} {e.Lower,10:F5} {e.Upper,10:F5}{(truth is { } t ? (e.Covers(t) ? "  yes" : "  no") : "")}"));
        }
    }

    private static List<LoggedDecision> ReadLogs(string path)
    {
        var rows = new List<LoggedDecision>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                var context = root.TryGetProperty("context", out var c) && c.ValueKind == JsonValueKind.Array
                    ? c.EnumerateArray().Select(v => v.GetDouble()).ToArray()
                    : [];
                rows.Add(new LoggedDecision(context, root.GetProperty("action").GetInt32(), root.GetProperty("propensity").GetDouble(), root.GetProperty("reward").GetDouble()));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path} line {line}: {ex.Message} (expected {{\"context\":[...],\"action\":N,\"propensity\":P,\"reward\":R}}).", ex);
            }
        }

        if (rows.Count == 0)
        {
            throw new InvalidDataException($"{path} holds no decisions.");
        }

        return rows;
    }
}
