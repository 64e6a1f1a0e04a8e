using System.Diagnostics;
using System.Globalization;
using Attune.Benchmarks.Storage;
using Attune.Datasets;
using Attune.Datasets.Synthetic;
using Attune.Engine.Import;
using Attune.Storage.Sqlite;

namespace Attune.Benchmarks;

/// <summary>
/// Importer throughput into a fresh embedded store: MovieLens 100K, Taobao and a generated N-event synthetic
/// CSV, beside the parse-only rate of the same CSV (the reader's ceiling) and the raw SQLite insert ceiling.
/// Usage: <c>import [--events N] [--batch-size N] [--data DIR]</c>.
/// </summary>
public sealed class ImportScenario : IScenario
{
    public string Name => "import";

    public string Description => "Importer rows/s (ML-100K, Taobao, 1M synthetic events) next to the parse-only rate and the raw SQLite ceiling.";

    public async Task<int> RunAsync(string[] args)
    {
        var events = IntArg(args, "--events", 1_000_000);
        var batchSize = IntArg(args, "--batch-size", ImportOptions.Default.BatchSize);
        var dataRoot = StringArg(args, "--data") ?? LocateSharedData();
        var work = Path.Combine(Path.GetTempPath(), "attune-bench-import-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var rows = new List<string>();
        try
        {
            var options = new ImportOptions(batchSize);
            if (dataRoot is not null && Directory.Exists(Path.Combine(dataRoot, "movielens-100k")))
            {
                rows.Add(await ImportRow("movielens-100k", "movielens-100k", Path.Combine(dataRoot, "movielens-100k"), work, options));
            }

            if (dataRoot is not null && Directory.Exists(Path.Combine(dataRoot, "taobao-userbehavior-sample")))
            {
                rows.Add(await ImportRow("taobao sample", "taobao", Path.Combine(dataRoot, "taobao-userbehavior-sample"), work, options));
            }

            var csv = Path.Combine(work, "synthetic.csv");
            var shopOptions = new SyntheticShopOptions(Users: Math.Max(1_000, events / 25), Items: Math.Max(500, events / 200), Events: events, Seed: 1);
            var sw = Stopwatch.StartNew();
            SyntheticShop.Generate(shopOptions).WriteEventsCsv(csv);
            var generate = sw.Elapsed;

            sw.Restart();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long parsed = 0;
            foreach (var r in DatasetFormats.Read("csv", csv))
            {
                if (r is EventRecord)
                {
                    parsed++;
                }
            }

            var parse = sw.Elapsed;
            rows.Add(Row($"synthetic csv, parse only ({events:N0} events)", parsed, parsed, parse, Process.GetCurrentProcess().TotalProcessorTime - cpu, "reader ceiling: no store"));
            rows.Add(await ImportRow($"synthetic csv ({events:N0} events)", "csv", csv, work, options));

            rows.Add(await RawCeiling(events));

            Console.WriteLine();
            Console.WriteLine($"## import ({options}, SQLite synchronous=Full)");
            Console.WriteLine();
            Console.WriteLine("| what | rows | events stored | wall s | cpu s | rows/s | note |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var row in rows)
            {
                Console.WriteLine(row);
            }

            Console.WriteLine();
            Console.WriteLine($"synthetic file generated in {generate.TotalSeconds:N2} s ({shopOptions})");
            Console.WriteLine(Scenarios.MachineLine());
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                Console.Error.WriteLine($"could not delete {work}");
            }
        }
    }

    private static async Task<string> ImportRow(string label, string format, string path, string work, ImportOptions options)
    {
        var dir = Path.Combine(work, format + "-" + Guid.NewGuid().ToString("N")[..6]);
        await using var store = await SqliteStore.OpenAsync(dir);
        await store.MigrateAsync();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await new DatasetImporter(options).ImportAsync(DatasetFormats.Read(format, path), new StoreImportSink(store));
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return Row(label, result.Rows, result.Accepted, result.Elapsed, cpu, $"{result.Duplicates:N0} duplicates, {result.Rejected:N0} rejected");
    }

    /// <summary>Plain prepared INSERTs into a table shaped like the event log: what no importer can beat here.</summary>
    private static async Task<string> RawCeiling(int events)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var ceiling = await RawSqliteCeiling.MeasureAsync(events);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return Row($"raw SQLite insert ceiling ({events:N0} rows)", ceiling.Events, ceiling.Events, ceiling.Elapsed, cpu, "prepared INSERTs, 100k-row transactions, no parsing");
    }

    /// <param name="cpu">Process CPU time over the step: on a busy machine a steadier measure than wall time.</param>
    internal static string Row(string what, long rows, long events, TimeSpan elapsed, TimeSpan cpu, string note) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"| {what} | {rows:N0} | {events:N0} | {elapsed.TotalSeconds:N2} | {cpu.TotalSeconds:N2} | {rows / Math.Max(elapsed.TotalSeconds, 1e-9):N0} | {note} |");

    private static int IntArg(string[] args, string name, int defaultValue)
    {
        var s = StringArg(args, name);
        return s is null ? defaultValue : int.Parse(s, CultureInfo.InvariantCulture);
    }

    private static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string? LocateSharedData()
    {
        var env = Environment.GetEnvironmentVariable("ATTUNE_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
