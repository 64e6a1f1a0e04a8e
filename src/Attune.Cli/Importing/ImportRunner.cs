using Attune.Datasets;
using Attune.Engine.Import;
using Spectre.Console;

namespace Attune.Cli.Importing;

/// <summary>Runs an import with live progress (a Spectre bar on a terminal, plain lines otherwise) and prints the outcome.</summary>
internal static class ImportRunner
{
    public static async Task<ImportResult> RunAsync(
        CliEnvironment env,
        string title,
        IEnumerable<DatasetRecord> records,
        IImportSink sink,
        ImportOptions options,
        CancellationToken cancellationToken)
    {
        var importer = new DatasetImporter(options);
        ImportResult result;
        if (env.Interactive)
        {
            env.Output.WriteLine(title);
            result = await env.Console.Progress()
                .AutoClear(false)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("starting");
                    task.IsIndeterminate = true;
                    var progress = new Progress<ImportProgress>(p => task.Description = Markup.Escape(Short(p)));
                    var r = await importer.ImportAsync(records, sink, progress, cancellationToken);
                    task.Description = Markup.Escape(Short(ToProgress(r)));
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                    task.StopTask();
                    return r;
                });
        }
        else
        {
            var lastLine = DateTime.MinValue;
            var progress = new SynchronousProgress(p =>
            {
                if (DateTime.UtcNow - lastLine >= TimeSpan.FromSeconds(2))
                {
                    lastLine = DateTime.UtcNow;
                    env.Output.WriteLine($"{title}: {Describe(p)}");
                }
            });
            env.Output.WriteLine($"{title}: started");
            result = await importer.ImportAsync(records, sink, progress, cancellationToken);
        }

        PrintSummary(env, result);
        return result;
    }

    public static void PrintSummary(CliEnvironment env, ImportResult r)
    {
        var o = env.Output;
        o.WriteLine($"Read {r.Rows:N0} rows in {r.Elapsed.TotalSeconds:N2} s ({r.RowsPerSecond:N0} rows/s).");
        o.WriteLine($"Events: {r.Accepted:N0} stored, {r.Duplicates:N0} duplicates (already stored or repeated), {r.Events:N0} read.");
        o.WriteLine($"Items: {r.Items:N0} upserted. Users: {r.Users:N0} upserted.");
        if (r.Rejected == 0)
        {
            o.WriteLine("Rejected rows: 0.");
            return;
        }

        o.WriteLine($"Rejected rows: {r.Rejected:N0}{(r.RejectedSamples.Count < r.Rejected ? $" (first {r.RejectedSamples.Count} shown)" : string.Empty)}:");
        foreach (var rejected in r.RejectedSamples)
        {
            o.WriteLine($"  {rejected.Source} line {rejected.Line}: {rejected.Reason}");
        }
    }

    private static string Describe(ImportProgress p) =>
        $"{p.Rows:N0} rows, {p.RowsPerSecond:N0} rows/s, {p.Accepted:N0} stored, {p.Duplicates:N0} duplicates, {p.Rejected:N0} rejected";

    private static string Short(ImportProgress p) =>
        $"{p.Rows:N0} rows  {p.RowsPerSecond:N0} rows/s  {p.Rejected:N0} rejected";

    private static ImportProgress ToProgress(ImportResult r) =>
        new(r.Rows, r.Events, r.Accepted, r.Duplicates, r.Items, r.Users, r.Rejected, r.Elapsed);

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and could print after the summary).</summary>
    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
