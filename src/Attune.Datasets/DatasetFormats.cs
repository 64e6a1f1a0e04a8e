using Attune.Core;
using Attune.Datasets.Formats;

namespace Attune.Datasets;

/// <summary>The registry of dataset formats by name.</summary>
public static class DatasetFormats
{
    public static IReadOnlyList<IDatasetFormat> All { get; } =
    [
        new MovieLens100kFormat(),
        new MovieLens1mFormat(),
        new MovieLensLatestFormat(),
        new TaobaoFormat(),
        new Rees46Format(),
        new CsvFormat(),
        new JsonlFormat(),
    ];

    public static IEnumerable<string> Names => All.Select(f => f.Name);

    public static IDatasetFormat? Find(string name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The format by name, or an exception listing the known names.</summary>
    public static IDatasetFormat Get(string name) =>
        Find(name) ?? throw new DatasetException($"Unknown dataset format '{name}'. Known formats: {string.Join(", ", Names)}.");

    /// <summary>Reads a dataset by format name.</summary>
    public static IEnumerable<DatasetRecord> Read(string format, string path, DatasetOptions? options = null, CancellationToken cancellationToken = default) =>
        Get(format).Read(path, options, cancellationToken);

    /// <summary>Only the events of a dataset (items, users and rejected rows are skipped), for evaluation.</summary>
    public static IEnumerable<Event> ReadEvents(string format, string path, DatasetOptions? options = null, CancellationToken cancellationToken = default) =>
        EventsOnly(Read(format, path, options, cancellationToken));

    private static IEnumerable<Event> EventsOnly(IEnumerable<DatasetRecord> records)
    {
        foreach (var r in records)
        {
            if (r is EventRecord e)
            {
                yield return e.Event;
            }
        }
    }
}
