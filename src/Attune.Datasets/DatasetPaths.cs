namespace Attune.Datasets;

/// <summary>Finds a format's files when the user names its folder instead of a file.</summary>
public static class DatasetPaths
{
    /// <summary>
    /// The path itself when it is a file; otherwise the files in the folder matching one of the patterns
    /// (first pattern that matches anything wins), in name order. Throws with a clear message when none do.
    /// </summary>
    public static IReadOnlyList<string> Resolve(string path, string format, params string[] patterns)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (!Directory.Exists(path))
        {
            throw new DatasetException($"Path '{path}' does not exist (give the {format} file or the folder holding it).");
        }

        foreach (var pattern in patterns)
        {
            var files = Directory.GetFiles(path, pattern, SearchOption.TopDirectoryOnly);
            if (files.Length > 0)
            {
                Array.Sort(files, StringComparer.Ordinal);
                return files;
            }
        }

        throw new DatasetException($"Folder '{path}' holds no {format} file (looked for {string.Join(", ", patterns)}).");
    }

    /// <summary>A side file (e.g. u.item) beside the main file, or null when it is not there.</summary>
    public static string? Sibling(string mainFile, string name)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(mainFile))!;
        var p = Path.Combine(dir, name);
        return File.Exists(p) ? p : null;
    }
}
