using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Attune.Cli.Importing;
using Attune.Engine.Options;
using Attune.Engine.Profiles;
using Attune.Engine.Segments;
using Attune.Engine.Segments.Discovery;
using Microsoft.Extensions.Configuration;

namespace Attune.Cli.Commands;

/// <summary>
/// <c>attune segments list|create|preview|members|export|history|delete</c> and <c>attune segments profile USER</c>:
/// rule segments and profiles, from a running server (<c>--server</c>) or offline from the data folder, where the
/// profiles are rebuilt from the event log first (the server must not be running on that folder).
/// </summary>
internal sealed class SegmentsCommand : ICliCommand
{
    public int Order => 60;

    public Command Create()
    {
        var command = new Command("segments", "Rule segments over user profiles: create, list, preview, members, export, history; and show a profile.");
        command.Subcommands.Add(Sub("list", "List segments with their sizes.", [], (ctx, _) =>
            ctx.Run(HttpMethod.Get, "/v1/segments", null, s => Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("segments");
                foreach (var i in s.List())
                {
                    WriteInfo(w, i);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }))));

        var name = new Argument<string>("name") { Description = "Segment name: letters, digits, '_', '-' and '.'." };
        var rule = new Argument<string>("rule") { Description = "A condition over profile fields, e.g. 'rfm.recency_days <= 30 and orders >= 2'." };
        var description = new Option<string?>("--description") { Description = "A note shown with the segment." };
        command.Subcommands.Add(Sub("create", "Create or replace a segment.", [name, rule, description], (ctx, r) =>
        {
            var body = JsonSerializer.Serialize(new Dictionary<string, string?>
            {
                ["name"] = r.GetValue(name), ["rule"] = r.GetValue(rule), ["description"] = r.GetValue(description),
            });
            return ctx.Run(HttpMethod.Post, "/v1/segments", body, s =>
            {
                var info = s.Save(r.GetValue(name), r.GetValue(rule), r.GetValue(description));
                return Json(w => WriteInfo(w, info));
            });
        }));

        var previewRule = new Argument<string>("rule") { Description = "The condition to count." };
        command.Subcommands.Add(Sub("preview", "Count the profiles a rule selects now, without saving it.", [previewRule], (ctx, r) =>
            ctx.Run(HttpMethod.Post, "/v1/segments/preview", JsonSerializer.Serialize(new Dictionary<string, string?> { ["rule"] = r.GetValue(previewRule) }), s =>
            {
                var (size, total, sample) = s.Preview(r.GetValue(previewRule));
                return Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("size", size);
                    w.WriteNumber("profiles", total);
                    w.WriteStartArray("sample");
                    sample.ToList().ForEach(w.WriteStringValue);
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            })));

        var membersName = new Argument<string>("name") { Description = "Segment name." };
        var cursor = new Option<string?>("--cursor") { Description = "The nextCursor of the previous page." };
        var limit = new Option<int>("--limit") { Description = "Members per page (1-1000).", DefaultValueFactory = _ => 100 };
        command.Subcommands.Add(Sub("members", "List members in user id order, one page at a time.", [membersName, cursor, limit], (ctx, r) =>
            ctx.Run(HttpMethod.Get, $"/v1/segments/{Uri.EscapeDataString(r.GetValue(membersName)!)}/members?limit={r.GetValue(limit)}" +
                (r.GetValue(cursor) is { } c ? $"&cursor={Uri.EscapeDataString(c)}" : ""), null, s =>
            {
                if (r.GetValue(limit) is < 1 or > 1000)
                {
                    throw new SegmentException("limit", "--limit must be from 1 to 1000.");
                }

                var page = s.Members(r.GetValue(membersName)!, r.GetValue(cursor), r.GetValue(limit))
                    ?? throw new SegmentException("name", $"no segment '{r.GetValue(membersName)}'.");
                return Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("total", page.Total);
                    w.WriteStartArray("userIds");
                    page.UserIds.ToList().ForEach(w.WriteStringValue);
                    w.WriteEndArray();
                    w.WriteString("nextCursor", page.NextCursor);
                    w.WriteEndObject();
                });
            })));

        var exportName = new Argument<string>("name") { Description = "Segment name." };
        command.Subcommands.Add(Sub("export", "Write every member as CSV to standard output.", [exportName], (ctx, r) =>
            ctx.Run(HttpMethod.Get, $"/v1/segments/{Uri.EscapeDataString(r.GetValue(exportName)!)}/export", null, s =>
            {
                var sw = new StringWriter(CultureInfo.InvariantCulture);
                return s.ExportCsv(r.GetValue(exportName)!, sw) ? sw.ToString() : throw new SegmentException("name", $"no segment '{r.GetValue(exportName)}'.");
            })));

        var historyName = new Argument<string>("name") { Description = "Segment name." };
        command.Subcommands.Add(Sub("history", "Show the segment's size over time.", [historyName], (ctx, r) =>
            ctx.Run(HttpMethod.Get, $"/v1/segments/{Uri.EscapeDataString(r.GetValue(historyName)!)}/history", null, s =>
            {
                var history = s.History(r.GetValue(historyName)!) ?? throw new SegmentException("name", $"no segment '{r.GetValue(historyName)}'.");
                return Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("sizes");
                    foreach (var h in history)
                    {
                        w.WriteStartObject();
                        w.WriteString("at", h.At);
                        w.WriteNumber("size", h.Size);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            })));

        var deleteName = new Argument<string>("name") { Description = "Segment name." };
        command.Subcommands.Add(Sub("delete", "Delete a segment and its history.", [deleteName], (ctx, r) =>
            ctx.Run(HttpMethod.Delete, $"/v1/segments/{Uri.EscapeDataString(r.GetValue(deleteName)!)}", null, s =>
                s.Delete(r.GetValue(deleteName)!) ? "deleted\n" : throw new SegmentException("name", $"no segment '{r.GetValue(deleteName)}'."))));

        var user = new Argument<string>("user") { Description = "User id." };
        command.Subcommands.Add(Sub("profile", "Show a user's live profile.", [user], (ctx, r) =>
            ctx.Run(HttpMethod.Get, $"/v1/users/{Uri.EscapeDataString(r.GetValue(user)!)}/profile", null, _ =>
            {
                var p = ctx.Profiles!.Get(r.GetValue(user)!) ?? throw new SegmentException("user", $"no profile for '{r.GetValue(user)}'.");
                return Json(w => ProfileJson.Write(w, p));
            })));

        var minK = new Option<int>("--min-k") { Description = "Smallest number of clusters tried (default 2).", DefaultValueFactory = _ => 2 };
        var maxK = new Option<int>("--max-k") { Description = "Largest number of clusters tried (default 8).", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of k-means++: the same seed and profiles give the same clusters (default 42).", DefaultValueFactory = _ => 42 };
        command.Subcommands.Add(Sub("discover", "Discover segments: k-means++ on profile vectors, k chosen by silhouette, each cluster described in words.", [minK, maxK, seed], (ctx, r) =>
        {
            var options = new SegmentDiscoveryOptions(r.GetValue(minK), r.GetValue(maxK), r.GetValue(seed));
            if (options.Check() is { } bad)
            {
                throw new SegmentException(bad.Field, $"--{(bad.Field == "minK" ? "min-k" : bad.Field == "maxK" ? "max-k" : bad.Field)} {bad.Message}");
            }

            var body = JsonSerializer.Serialize(new Dictionary<string, int> { ["minK"] = options.MinK, ["maxK"] = options.MaxK, ["seed"] = options.Seed });
            return ctx.Run(HttpMethod.Post, "/v1/segments/discover", body, _ =>
                JsonSerializer.Serialize(SegmentDiscovery.Discover(ctx.Profiles!.All(), options, ctx.Profiles.PredictionNames), DiscoveryJson.Default.SegmentDiscoveryResult) + "\n");
        }));
        return command;
    }

    private static Command Sub(string name, string description, Symbol[] symbols, Func<Context, ParseResult, Task<int>> run)
    {
        var command = new Command(name, description);
        var dataDir = CommonOptions.DataDir();
        var server = CommonOptions.Server();
        var apiKey = CommonOptions.ApiKey();
        foreach (var s in symbols)
        {
            switch (s)
            {
                case Argument a:
                    command.Arguments.Add(a);
                    break;
                case Option o:
                    command.Options.Add(o);
                    break;
            }
        }

        command.Options.Add(dataDir);
        command.Options.Add(server);
        command.Options.Add(apiKey);
        command.Validators.Add(r =>
        {
            if (r.GetValue(server) is not null && r.GetValue(dataDir) is not null)
            {
                r.AddError("Give either --data-dir or --server, not both.");
            }

            if (CommonOptions.CheckServerUrl(r.GetValue(server)) is { } bad)
            {
                r.AddError(bad);
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            var ctx = new Context(env, parseResult.GetValue(dataDir), parseResult.GetValue(server),
                parseResult.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("ATTUNE_API_KEY"), cancellationToken);
            try
            {
                return await run(ctx, parseResult);
            }
            catch (SegmentException ex)
            {
                return env.Fail(ex.Message);
            }
            catch (HttpRequestException ex)
            {
                return env.Fail($"cannot reach the server: {ex.Message}");
            }
            catch (InvalidOperationException ex)
            {
                return env.Fail($"{ex.Message} To use a running server, pass --server URL.");
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                return env.Fail($"the store failed: {ex.Message}");
            }
            finally
            {
                ctx.Dispose();
            }
        });
        return command;
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteInfo(Utf8JsonWriter w, SegmentInfo s)
    {
        w.WriteStartObject();
        w.WriteString("name", s.Definition.Name);
        w.WriteString("rule", s.Definition.Rule);
        w.WriteString("description", s.Definition.Description);
        w.WriteNumber("size", s.Size);
        w.WriteString("updated", s.Definition.Updated);
        if (s.Error is { } e)
        {
            w.WriteString("error", e);
        }

        w.WriteEndObject();
    }

    /// <summary>Runs one subcommand against a server (HTTP) or offline against the data folder.</summary>
    private sealed class Context(CliEnvironment env, string? dataDir, string? server, string? apiKey, CancellationToken cancellationToken) : IDisposable
    {
        private ProfileDatabase? _db;
        private SegmentService? _segments;

        public ProfileService? Profiles { get; private set; }

        public async Task<int> Run(HttpMethod method, string path, string? body, Func<SegmentService, string> offline)
        {
            if (server is not null)
            {
                using var http = new HttpClient { BaseAddress = new Uri(server) };
                if (apiKey is not null)
                {
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
                }

                using var request = new HttpRequestMessage(method, path);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    var detail = text;
                    try
                    {
                        detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString() ?? text;
                    }
                    catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
                    {
                        // Not a problem document; show the body as it is.
                    }

                    return env.Fail($"the server answered {(int)response.StatusCode}: {detail}");
                }

                env.Output.Write(text.Length == 0 ? "ok\n" : text.EndsWith('\n') ? text : text + "\n");
                return ExitCodes.Ok;
            }

            var dir = env.DataDir(dataDir);
            if (!Directory.Exists(dir))
            {
                return env.Fail($"data folder '{dir}' does not exist (import something first, or pass --data-dir).");
            }

            var options = env.Configuration.GetSection(AttuneOptions.SectionName).Get<AttuneOptions>() ?? new AttuneOptions();
            if (options.Validate() is { Count: > 0 } errors)
            {
                return env.Fail(string.Join(" ", errors));
            }

            await using (var store = await StoreSession.OpenAsync(env, dir, cancellationToken))
            {
                _db = ProfileDatabase.Open(dir);
                Profiles = new ProfileService(options.Profiles, options.Quality, options.CreateEventTypeRegistry(), TimeProvider.System, _db);
                await Profiles.RebuildAsync(store, cancellationToken);
            }

            _segments = new SegmentService(Profiles, _db, options.Profiles);

            // Memberships live in memory; a one-off command computes them without adding a history point.
            _segments.EvaluateAll(recordHistory: false);
            env.Output.Write(offline(_segments));
            return ExitCodes.Ok;
        }

        public void Dispose()
        {
            _segments?.Dispose();
            Profiles?.Dispose();
            _db?.Dispose();
        }
    }
}
