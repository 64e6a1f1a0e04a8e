namespace Attune.Benchmarks;

/// <summary>Argument and dataset-location helpers shared by the scenarios.</summary>
internal static class ScenarioArgs
{
    /// <summary>
    /// The public datasets: <c>ATTUNE_SHARED_DATA</c> if set, else the first <c>shared/data</c> folder beside
    /// the build output or any of its parents.
    /// </summary>
    public static string DataRoot()
    {
        var env = Environment.GetEnvironmentVariable("ATTUNE_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine("..", "shared", "data"));
    }

    /// <summary>The value after the first <paramref name="name"/>, or null.</summary>
    public static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The values after every occurrence of <paramref name="name"/>.</summary>
    public static List<string> Args(string[] args, string name)
    {
        var result = new List<string>();
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == name)
            {
                result.Add(args[i + 1]);
            }
        }

        return result;
    }
}
