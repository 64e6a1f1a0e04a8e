namespace Attune.Benchmarks;

/// <summary>A load or quality benchmark run by name; prints a Markdown table and a machine line.</summary>
public interface IScenario
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args);
}

public static class Scenarios
{
    public static IEnumerable<IScenario> All() =>
        typeof(Scenarios).Assembly.GetTypes()
            .Where(t => typeof(IScenario).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IScenario)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name, StringComparer.Ordinal);

    /// <summary>One line naming the machine, printed under every result table.</summary>
    public static string MachineLine() =>
        $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
        $".NET {Environment.Version}, {ReadCpuModel()}";

    private static string ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
