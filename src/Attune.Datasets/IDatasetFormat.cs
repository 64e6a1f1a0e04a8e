namespace Attune.Datasets;

/// <summary>
/// A dataset format: reads a file or a folder as a stream of <see cref="DatasetRecord"/>s in constant memory
/// (small side files such as a movie list may be held while the big event file streams).
/// Catalog and user records come before the events that refer to them where the format allows.
/// </summary>
public interface IDatasetFormat
{
    /// <summary>The name used on the command line, e.g. <c>movielens-100k</c>.</summary>
    string Name { get; }

    /// <summary>One line for --help: what the format is and which files it reads.</summary>
    string Description { get; }

    /// <summary>The options this format accepts (names as on the command line, without dashes).</summary>
    IReadOnlyList<DatasetOptionInfo> Options { get; }

    /// <summary>
    /// Checks the path and options now (throwing <see cref="DatasetException"/> with a clear message), then
    /// returns a lazy stream that reads the files as it is enumerated.
    /// </summary>
    IEnumerable<DatasetRecord> Read(string path, DatasetOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>An option a format accepts.</summary>
/// <param name="Name">Command-line name without dashes, e.g. <c>user-column</c>.</param>
/// <param name="DefaultValue">Shown in help; null when the option has no default.</param>
public sealed record DatasetOptionInfo(string Name, string Description, string? DefaultValue = null);
