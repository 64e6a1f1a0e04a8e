using Xunit;

namespace Attune.TestSupport;

/// <summary>
/// Finds the real datasets (never committed to the repo): <c>ATTUNE_SHARED_DATA</c> if set, else the first
/// <c>shared/data</c> folder found beside the repository or any of its parents.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(Locate);

    public static string? RootPath => Root.Value;

    /// <summary>The full path of a file or folder under the data root, or null when it is not there.</summary>
    public static string? Find(string relative)
    {
        if (Root.Value is null)
        {
            return null;
        }

        var p = Path.Combine(Root.Value, relative);
        return File.Exists(p) || Directory.Exists(p) ? p : null;
    }

    /// <summary>Like <see cref="Find"/>, but a test that got this far was not skipped, so the path must exist.</summary>
    public static string Require(string relative) =>
        Find(relative) ?? throw new InvalidOperationException($"Dataset '{relative}' not found under {Root.Value ?? "(no data root)"}.");

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("ATTUNE_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that runs only when the named datasets are present, and says which one is missing otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataFactAttribute : FactAttribute
{
    public DataFactAttribute(params string[] relativePaths)
    {
        foreach (var p in relativePaths)
        {
            if (SharedData.Find(p) is null)
            {
                Skip = $"Dataset '{p}' is not present (set ATTUNE_SHARED_DATA or place shared/data beside the repository).";
                return;
            }
        }
    }
}

/// <summary>A theory that runs only when the named datasets are present.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataTheoryAttribute : TheoryAttribute
{
    public DataTheoryAttribute(params string[] relativePaths)
    {
        foreach (var p in relativePaths)
        {
            if (SharedData.Find(p) is null)
            {
                Skip = $"Dataset '{p}' is not present (set ATTUNE_SHARED_DATA or place shared/data beside the repository).";
                return;
            }
        }
    }
}

/// <summary>A private temporary folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "attune-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finished test; the OS temp cleaner takes it.
        }
    }
}
