using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Attune.Cli.Importing;
using Attune.Engine.Experiments;
using Attune.Engine.Options;
using Attune.Experiments.Assignment;
using Attune.Experiments.Metrics;
using Attune.Experiments.Statistics;

namespace Attune.Cli.Commands;

/// <summary><c>attune experiments</c>: define, inspect and analyze A/B/n experiments in a data folder; size them with the power calculator.</summary>
internal sealed class ExperimentsCommand : ICliCommand
{
    public int Order => 74;

    public Command Create()
    {
        var command = new Command("experiments", "Define, list, analyze and size A/B/n experiments (stored in the data folder).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(CreateFromFile());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Results());
        command.Subcommands.Add(Assign());
        command.Subcommands.Add(PowerCalculator());
        command.Subcommands.Add(BoundariesTable());
        return command;
    }

    private static ExperimentRepository Open(CliEnvironment env, string? dataDir)
    {
        var options = new ExperimentOptions
        {
            HoldoutFraction = double.TryParse(env.Configuration["Attune:Experiments:HoldoutFraction"], NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : 0,
            HoldoutSalt = env.Configuration["Attune:Experiments:HoldoutSalt"] ?? new ExperimentOptions().HoldoutSalt,
        };
        return new ExperimentRepository(env.DataDir(dataDir), options);
    }

    private static Command List()
    {
        var c = new Command("list", "List the experiments.");
        var dataDir = CommonOptions.DataDir();
        c.Options.Add(dataDir);
        c.SetAction(p =>
        {
            var env = CliEnvironment.From(p);
            return Guard(env, () =>
            {
                foreach (var e in Open(env, p.GetValue(dataDir)).List())
                {
                    env.Output.WriteLine(e.ToString());
                }
            });
        });
        return c;
    }

    private static Command Show()
    {
        var c = new Command("show", "Print one experiment as JSON.");
        var id = new Argument<string>("id");
        var dataDir = CommonOptions.DataDir();
        c.Arguments.Add(id);
        c.Options.Add(dataDir);
        c.SetAction(p =>
        {
            var env = CliEnvironment.From(p);
            var e = Open(env, p.GetValue(dataDir)).Get(p.GetValue(id)!);
            if (e is null)
            {
                return env.Fail($"experiment '{p.GetValue(id)}' does not exist.");
            }

            env.Output.WriteLine(JsonSerializer.Serialize(e, ExperimentJsonContext.Default.ExperimentDefinition));
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command CreateFromFile()
    {
        var c = new Command("create", "Create an experiment from a JSON file (the body of POST /v1/experiments).");
        var file = new Argument<string>("file");
        var dataDir = CommonOptions.DataDir();
        c.Arguments.Add(file);
        c.Options.Add(dataDir);
        c.SetAction(p =>
        {
            var env = CliEnvironment.From(p);
            return Guard(env, () =>
            {
                var path = p.GetValue(file)!;
                ExperimentDefinition definition;
                try
                {
                    definition = JsonSerializer.Deserialize(File.ReadAllBytes(path), ExperimentJsonContext.Default.ExperimentDefinition)
                        ?? throw new InvalidDataException($"{path} holds null.");
                }
                catch (JsonException ex)
                {
                    throw new InvalidDataException($"{path} line {(ex.LineNumber ?? 0) + 1}: {ex.Message.Split(" Path:")[0]}", ex);
                }

                var created = Open(env, p.GetValue(dataDir)).Create(definition);
                env.Output.WriteLine($"created {created}");
            });
        });
        return c;
    }

    private static Command Delete()
    {
        var c = new Command("delete", "Delete an experiment.");
        var id = new Argument<string>("id");
        var dataDir = CommonOptions.DataDir();
        c.Arguments.Add(id);
        c.Options.Add(dataDir);
        c.SetAction(p =>
        {
            var env = CliEnvironment.From(p);
            return Open(env, p.GetValue(dataDir)).Delete(p.GetValue(id)!) ? ExitCodes.Ok : env.Fail($"experiment '{p.GetValue(id)}' does not exist.");
        });
        return c;
    }

    private static Command Assign()
    {
        var c = new Command("assign", "Show whether a user is in the global holdout and which variants they see.");
        var user = new Argument<string>("user");
        var dataDir = CommonOptions.DataDir();
        c.Arguments.Add(user);
        c.Options.Add(dataDir);
        c.SetAction(p =>
        {
            var env = CliEnvironment.From(p);
            var repo = Open(env, p.GetValue(dataDir));
            var u = p.GetValue(user)!;
            env.Output.WriteLine($"holdout: {repo.IsInHoldout(u)}");
            foreach (var a in repo.AssignAll(u))
            {
                env.Output.WriteLine($"{a.ExperimentId}: {a.VariantId}");
            }

            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Results()
    {
        var c = new Command("results", "Compute an experiment's results from the event log.");
        var id = new Argument<string>("id");
        var dataDir = CommonOptions.DataDir();
        c.Arguments.Add(id);
        c.Options.Add(dataDir);
        c.SetAction(async (p, ct) =>
        {
            var env = CliEnvironment.From(p);
            try
            {
                var dir = env.DataDir(p.GetValue(dataDir));
                var repo = Open(env, dir);
                await using var store = await StoreSession.OpenAsync(env, dir, ct);
                Print(env.Output, await repo.ResultsAsync(p.GetValue(id)!, store.Events, ct));
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is ExperimentException or InvalidDataException or InvalidOperationException or IOException)
            {
                return env.Fail(ex.Message);
            }
        });
        return c;
    }

    private static Command PowerCalculator()
    {
        var c = new Command("power", "Users per group needed to detect a relative change of a conversion rate.");
        var baseline = new Option<double>("--baseline") { Description = "Control conversion rate, e.g. 0.05.", Required = true };
        var mde = new Option<double>("--mde") { Description = "Relative effect to detect, e.g. 0.1 for +10%.", Required = true };
        var alpha = new Option<double>("--alpha") { DefaultValueFactory = _ => 0.05 };
        var power = new Option<double>("--power") { DefaultValueFactory = _ => 0.8 };
        foreach (var o in new Option[] { baseline, mde, alpha, power })
        {
            c.Options.Add(o);
        }

        c.SetAction(p =>
        {
            var env = CliEnvironment.From(p);
            try
            {
                var p0 = p.GetValue(baseline);
                var p1 = p0 * (1 + p.GetValue(mde));
                var n = Attune.Experiments.Statistics.Power.SampleSizeProportions(p0, p1, p.GetValue(alpha), p.GetValue(power));
                env.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n} users per group ({2 * n} in all) to detect {p0:0.####} -> {p1:0.####} with power {p.GetValue(power):P0} at alpha {p.GetValue(alpha)}"));
                return ExitCodes.Ok;
            }
            catch (ArgumentException ex)
            {
                return env.Fail(ex.Message);
            }
        });
        return c;
    }

    private static Command BoundariesTable()
    {
        var c = new Command("boundaries", "Print the group-sequential boundaries of a design: one row per planned look.");
        var looks = new Option<int>("--looks") { Description = "Planned looks, equally spaced in users.", DefaultValueFactory = _ => 10 };
        var alpha = new Option<double>("--alpha") { DefaultValueFactory = _ => 0.05 };
        var spending = new Option<SpendingFunction>("--spending") { Description = "OBrienFleming or Pocock.", DefaultValueFactory = _ => SpendingFunction.OBrienFleming };
        foreach (var o in new Option[] { looks, alpha, spending })
        {
            c.Options.Add(o);
        }

        c.SetAction(p =>
        {
            var env = CliEnvironment.From(p);
            try
            {
                var design = GroupSequentialDesign.For(p.GetValue(looks), p.GetValue(alpha), p.GetValue(spending));
                env.Output.WriteLine($"{design}");
                env.Output.WriteLine($"{"look",5} {"fraction",9} {"|z| >=",8} {"nominal p <",12} {"alpha spent",12}");
                for (var k = 0; k < design.Looks; k++)
                {
                    var b = design.Boundaries[k];
                    env.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k + 1,5} {(k + 1.0) / design.Looks,9:F3} {b,8:F4} {Distributions.NormalTwoSided(b),12:G4} {design.AlphaSpent[k],12:G4}"));
                }

                return ExitCodes.Ok;
            }
            catch (ArgumentException ex)
            {
                return env.Fail(ex.Message);
            }
        });
        return c;
    }

    private static int Guard(CliEnvironment env, Action action)
    {
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is ExperimentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return env.Fail(ex.Message);
        }
    }

    private static void Print(TextWriter o, ExperimentResults r)
    {
        o.WriteLine($"experiment {r.ExperimentId}: {DateTimeOffset.FromUnixTimeMilliseconds(r.From):u} to {DateTimeOffset.FromUnixTimeMilliseconds(r.To):u}");
        o.WriteLine("users: " + string.Join(", ", r.Users.Select(u => $"{u.Variant} {u.Users}")));
        if (r.SampleRatio is { } srm)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sample ratio: chi2 {srm.ChiSquare:F2}, p {srm.PValue:G3}{(srm.Mismatch ? "  MISMATCH: do not trust these results" : "")}"));
        }

        foreach (var m in r.Metrics)
        {
            o.WriteLine($"{m.Name} ({m.Kind}): " + string.Join(", ", m.Variants.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Variant} {v.Value:G4}"))));
            foreach (var cmp in m.Comparisons)
            {
                var t = cmp.Test;
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {cmp.Variant} vs control: {t.Difference:G4} [{t.Lower:G4}, {t.Upper:G4}], lift {t.RelativeLift:P1}, p {t.PValue:G3}; always-valid p {cmp.Sequential.PValue:G3} [{cmp.Sequential.Lower:G4}, {cmp.Sequential.Upper:G4}]"));
                if (cmp.GroupSequential is { } gs)
                {
                    o.WriteLine(gs.Look == 0
                        ? string.Create(CultureInfo.InvariantCulture, $"    group-sequential: {gs.InformationFraction:P0} of the planned users, before the first of {gs.Looks} looks: no decision yet")
                        : string.Create(CultureInfo.InvariantCulture, $"    group-sequential look {gs.Look} of {gs.Looks} ({gs.InformationFraction:P0} of the planned users): |z| {Math.Abs(gs.Statistic):F3} vs boundary {gs.Boundary:F3} -> {(gs.Rejected ? "significant, may stop" : "continue")}"));
                }

                if (cmp.Cuped is { } cu)
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    CUPED: {cu.Test.Difference:G4} [{cu.Test.Lower:G4}, {cu.Test.Upper:G4}], p {cu.Test.PValue:G3}, variance reduction {cu.VarianceReduction:P1}"));
                }
            }
        }
    }
}
