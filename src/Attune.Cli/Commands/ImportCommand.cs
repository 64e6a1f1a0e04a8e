using System.CommandLine;
using Attune.Cli.Importing;
using Attune.Client;
using Attune.Datasets;
using Attune.Engine.Import;

namespace Attune.Cli.Commands;

/// <summary><c>attune import &lt;format&gt; &lt;path&gt;</c>: one subcommand per dataset format, each with its own options.</summary>
internal sealed class ImportCommand : ICliCommand
{
    public int Order => 20;

    public Command Create()
    {
        var command = new Command(
            "import",
            "Import a dataset into the embedded store (--data-dir) or a running server (--server). Re-importing is idempotent. " +
            "Exit codes: 0 all rows imported, 3 finished with rejected rows (listed with line numbers), 1 error, 2 invalid arguments, 130 cancelled.");
        foreach (var format in DatasetFormats.All)
        {
            command.Subcommands.Add(CreateFormatCommand(format));
        }

        return command;
    }

    private static Command CreateFormatCommand(IDatasetFormat format)
    {
        var command = new Command(format.Name, format.Description);
        var path = new Argument<string>("path") { Description = "The dataset file, or the folder holding its files." };
        var dataDir = CommonOptions.DataDir();
        var server = CommonOptions.Server();
        var apiKey = CommonOptions.ApiKey();
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Records per write (at most 10,000 through --server).",
            DefaultValueFactory = _ => ImportOptions.Default.BatchSize,
            HelpName = "N",
        };
        batchSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--batch-size must be at least 1.");
            }
        });
        var showRejected = new Option<int>("--show-rejected")
        {
            Description = "How many rejected rows to print with line number and reason (all are counted).",
            DefaultValueFactory = _ => ImportOptions.Default.MaxRejectedKept,
            HelpName = "N",
        };
        command.Arguments.Add(path);
        command.Options.Add(dataDir);
        command.Options.Add(server);
        command.Options.Add(apiKey);
        command.Options.Add(batchSize);
        command.Options.Add(showRejected);
        var formatOptions = new List<(string Name, Option<string?> Option)>();
        foreach (var o in format.Options)
        {
            var option = new Option<string?>("--" + o.Name)
            {
                Description = o.DefaultValue is null ? o.Description : $"{o.Description} Default: {o.DefaultValue}.",
                HelpName = "VALUE",
            };
            formatOptions.Add((o.Name, option));
            command.Options.Add(option);
        }

        command.Validators.Add(r =>
        {
            if (r.GetValue(server) is not null && r.GetValue(dataDir) is not null)
            {
                r.AddError("Give either --data-dir (import into the embedded store) or --server (import through the HTTP API), not both.");
            }

            if (CommonOptions.CheckServerUrl(r.GetValue(server)) is { } bad)
            {
                r.AddError(bad);
            }
        });

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var env = CliEnvironment.From(parseResult);
            var values = new List<KeyValuePair<string, string>>();
            foreach (var (name, option) in formatOptions)
            {
                if (parseResult.GetValue(option) is { } v)
                {
                    values.Add(new(name, v));
                }
            }

            var options = new ImportOptions(parseResult.GetValue(batchSize), Math.Max(0, parseResult.GetValue(showRejected)));
            return await RunAsync(
                env,
                format,
                parseResult.GetRequiredValue(path),
                new DatasetOptions(values),
                parseResult.GetValue(dataDir),
                parseResult.GetValue(server),
                parseResult.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("ATTUNE_API_KEY"),
                options,
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        CliEnvironment env,
        IDatasetFormat format,
        string path,
        DatasetOptions datasetOptions,
        string? dataDirFlag,
        string? server,
        string? apiKey,
        ImportOptions options,
        CancellationToken cancellationToken)
    {
        IEnumerable<DatasetRecord> records;
        try
        {
            records = format.Read(path, datasetOptions, cancellationToken);
        }
        catch (DatasetException ex)
        {
            return env.Fail(ex.Message, ExitCodes.Usage);
        }

        try
        {
            ImportResult result;
            if (server is not null)
            {
                using var client = new AttuneClient(new Uri(server), apiKey);
                result = await ImportRunner.RunAsync(env, $"Importing {format.Name} into {server}", records, new HttpImportSink(client), options, cancellationToken);
            }
            else
            {
                var dataDir = env.DataDir(dataDirFlag);
                await using var store = await StoreSession.OpenAsync(env, dataDir, cancellationToken);
                result = await ImportRunner.RunAsync(env, $"Importing {format.Name} into {dataDir}", records, new StoreImportSink(store), options, cancellationToken);
            }

            return result.Rejected > 0 ? ExitCodes.CompletedWithRejectedRows : ExitCodes.Ok;
        }
        catch (DatasetException ex)
        {
            return env.Fail(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return env.Fail("import cancelled; the batches already written stay stored, and running the same import again skips them as duplicates.", ExitCodes.Cancelled);
        }
        catch (AttuneApiException ex)
        {
            var details = ex.Errors.Count > 0 ? " " + string.Join("; ", ex.Errors.Select(e => e.ToString())) : string.Empty;
            return env.Fail($"the server refused a batch ({ex.StatusCode} {ex.Title}): {ex.Detail}{details}");
        }
        catch (HttpRequestException ex)
        {
            return env.Fail($"cannot reach {server}: {ex.Message}");
        }
        catch (IOException ex)
        {
            return env.Fail(ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            return env.Fail(ex.Message);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            return env.Fail($"the store failed: {ex.Message}");
        }
    }
}
