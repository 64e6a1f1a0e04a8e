using System.Reflection;
using Attune.Algorithms.Abstractions;

namespace Attune.Evaluation.Tuning;

/// <summary>One hyper-parameter and the values the search may try (as option text, e.g. "64").</summary>
public sealed record SearchParameter(string Name, IReadOnlyList<string> Values)
{
    public override string ToString() => $"{Name}={{{string.Join(",", Values)}}}";
}

/// <summary>The hyper-parameters the tuner varies for one algorithm.</summary>
public sealed record SearchSpace(string Algorithm, IReadOnlyList<SearchParameter> Parameters)
{
    /// <summary>How many distinct configurations the grid holds.</summary>
    public long GridSize => Parameters.Aggregate(1L, (n, p) => n * p.Values.Count);

    /// <summary>
    /// The parameters that the algorithm's options record really has (names compared as the option binder
    /// does: case-insensitive, dashes and underscores ignored), so a space written for one naming of an
    /// option never breaks an algorithm that names it differently.
    /// </summary>
    public SearchSpace RestrictTo(IAlgorithm algorithm)
    {
        var names = algorithm.DefaultOptions.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => Normalize(p.Name))
            .ToHashSet(StringComparer.Ordinal);
        return this with { Parameters = [.. Parameters.Where(p => names.Contains(Normalize(p.Name)))] };
    }

    /// <summary>The space without the named parameters (those the user fixed in the model spec).</summary>
    public SearchSpace Without(IEnumerable<string> names)
    {
        var drop = names.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        return this with { Parameters = [.. Parameters.Where(p => !drop.Contains(Normalize(p.Name)))] };
    }

    public override string ToString() => $"{Algorithm}: {string.Join(" ", Parameters)}";

    private static string Normalize(string s) => s.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();
}
