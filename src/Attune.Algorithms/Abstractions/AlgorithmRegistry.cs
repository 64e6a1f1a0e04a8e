using System.Globalization;
using System.Reflection;
using Attune.Algorithms.Data;

namespace Attune.Algorithms.Abstractions;

/// <summary>
/// Describes one algorithm to the CLI, the evaluation harness and the model registry: its name, its
/// typed default options, and how to fit it. Implementations are found by reflection.
/// </summary>
public interface IAlgorithm
{
    /// <summary>Stable name used on the command line, e.g. "als".</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>The typed options record with every hyper-parameter at its default.</summary>
    object DefaultOptions { get; }

    /// <summary>Fits with an options record of the type of <see cref="DefaultOptions"/>.</summary>
    IRecommender Fit(TrainingData data, object options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>A typed base so each algorithm's descriptor stays a few lines.</summary>
public abstract class Algorithm<TOptions> : IAlgorithm
    where TOptions : class, new()
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public object DefaultOptions => new TOptions();

    public IRecommender Fit(TrainingData data, object options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Fit(data, options as TOptions ?? throw new ArgumentException($"{Name} takes {typeof(TOptions).Name}, got {options.GetType().Name}.", nameof(options)), progress, cancellationToken);

    protected abstract IRecommender Fit(TrainingData data, TOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);
}

public static class AlgorithmRegistry
{
    private static readonly Lazy<IReadOnlyDictionary<string, IAlgorithm>> Known = new(Discover);

    public static IReadOnlyCollection<IAlgorithm> All => Known.Value.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray();

    public static IAlgorithm Get(string name) =>
        Known.Value.TryGetValue(name, out var a)
            ? a
            : throw new ArgumentException($"Unknown algorithm '{name}'. Known: {string.Join(", ", Known.Value.Keys.Order(StringComparer.Ordinal))}.", nameof(name));

    /// <summary>
    /// Parses "als" or "als:factors=64,iterations=15" into the algorithm and a typed options record with
    /// those properties changed (names match case-insensitively, dashes and underscores ignored).
    /// </summary>
    public static (IAlgorithm Algorithm, object Options) Parse(string spec)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var algorithm = Get(colon < 0 ? spec.Trim() : spec[..colon].Trim());
        var options = algorithm.DefaultOptions;
        if (colon >= 0)
        {
            options = OptionsBinder.With(options, spec[(colon + 1)..]);
        }

        return (algorithm, options);
    }

    private static Dictionary<string, IAlgorithm> Discover()
    {
        var result = new Dictionary<string, IAlgorithm>(StringComparer.Ordinal);
        foreach (var t in typeof(AlgorithmRegistry).Assembly.GetTypes())
        {
            if (typeof(IAlgorithm).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            {
                var a = (IAlgorithm)Activator.CreateInstance(t)!;
                result.Add(a.Name, a);
            }
        }

        return result;
    }
}

/// <summary>Copies an options record with some properties set from "name=value,name=value" text.</summary>
public static class OptionsBinder
{
    public static object With(object options, string assignments)
    {
        var type = options.GetType();
        var clone = type.GetMethod("<Clone>$")?.Invoke(options, null)
            ?? throw new ArgumentException($"{type.Name} is not a record.", nameof(options));
        foreach (var part in SplitTopLevel(assignments))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"Expected name=value, got '{part}'.", nameof(assignments));
            }

            var name = Normalize(part[..eq]);
            var prop = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => Normalize(p.Name) == name && p.CanWrite)
                ?? throw new ArgumentException(
                    $"{type.Name} has no option '{part[..eq]}'. Options: {string.Join(", ", type.GetProperties().Where(p => p.CanWrite).Select(p => p.Name))}.",
                    nameof(assignments));
            prop.SetValue(clone, Convert(prop.PropertyType, part[(eq + 1)..].Trim(), prop.Name));
        }

        return clone;
    }

    /// <summary>
    /// Splits on <paramref name="separator"/> outside parentheses, trimming parts and dropping empty ones, so a
    /// value may itself hold a list of specs: "components=(ease:lambda=500; sequence:window=8,decay=0.85),normalization=max".
    /// </summary>
    public static List<string> SplitTopLevel(string text, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var k = 0; k <= text.Length; k++)
        {
            if (k == text.Length || (text[k] == separator && depth == 0))
            {
                var part = text[start..k].Trim();
                if (part.Length > 0)
                {
                    parts.Add(part);
                }

                start = k + 1;
            }
            else if (text[k] == '(')
            {
                depth++;
            }
            else if (text[k] == ')')
            {
                depth = Math.Max(0, depth - 1);
            }
        }

        return parts;
    }

    private static string Normalize(string s) => s.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    private static object? Convert(Type t, string text, string name)
    {
        var target = Nullable.GetUnderlyingType(t) ?? t;
        try
        {
            if (target.IsEnum)
            {
                return Enum.Parse(target, text, ignoreCase: true);
            }

            if (target == typeof(TimeSpan))
            {
                return TimeSpan.Parse(text, CultureInfo.InvariantCulture);
            }

            if (target == typeof(bool))
            {
                return text is "1" or "true" or "True" or "yes";
            }

            return System.Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            throw new ArgumentException($"Option '{name}' expects {target.Name}, got '{text}'.", nameof(text), e);
        }
    }
}
