using System.Reflection;
using Attune.Benchmarks;
using BenchmarkDotNet.Running;

// Usage:
//   dotnet run -c Release --project bench/Attune.Benchmarks -- list
//   dotnet run -c Release --project bench/Attune.Benchmarks -- micro [BenchmarkDotNet args]
//   dotnet run -c Release --project bench/Attune.Benchmarks -- <scenario> [options]
if (args.Length == 0 || args[0] is "list" or "--help" or "-h")
{
    Console.WriteLine("Scenarios (load and quality benchmarks):");
    foreach (var s in Scenarios.All())
    {
        Console.WriteLine($"  {s.Name,-24} {s.Description}");
    }

    Console.WriteLine("  micro                    BenchmarkDotNet micro-benchmarks (pass BenchmarkDotNet arguments after it)");
    return 0;
}

if (args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args[1..]);
    return 0;
}

var scenario = Scenarios.All().FirstOrDefault(s => s.Name == args[0]);
if (scenario is null)
{
    Console.Error.WriteLine($"Unknown scenario '{args[0]}'. Run with 'list' to see them.");
    return 2;
}

return await scenario.RunAsync(args[1..]);
