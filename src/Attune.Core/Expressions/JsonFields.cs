using System.Text.Json;

namespace Attune.Core.Expressions;

/// <summary>Binds a record's open set of JSON fields (item properties, user attributes) as <c>prefix.NAME</c>.</summary>
internal static class JsonFields
{
    public static void Bind<TRecord>(
        RecordBinder<TRecord> binder,
        string prefix,
        IReadOnlyDictionary<string, ExpressionType>? declared,
        PropertyTypes inferred,
        Func<string, Func<TRecord, JsonElement>> reader)
    {
        var types = new Dictionary<string, ExpressionType>(inferred.Types, StringComparer.Ordinal);
        foreach (var (name, type) in declared ?? new Dictionary<string, ExpressionType>())
        {
            types[name] = type;
        }

        foreach (var (name, type) in types)
        {
            var path = prefix + name;
            if (RecordBinder<TRecord>.IsValidPath(path))
            {
                binder.AddJson(path, type, reader(name));
            }
        }

        foreach (var (name, reason) in inferred.Conflicts)
        {
            var path = prefix + name;
            if (!types.ContainsKey(name) && RecordBinder<TRecord>.IsValidPath(path))
            {
                binder.AddUnavailable(path, reason);
            }
        }
    }

    /// <summary>
    /// The type of each JSON field from its values: strings, numbers, booleans, arrays of strings or of numbers.
    /// A field seen with two different types is a conflict (it must be declared); nulls, objects and empty
    /// arrays say nothing. O(records x fields).
    /// </summary>
    public static PropertyTypes Infer<TRecord>(
        IEnumerable<TRecord> records,
        Func<TRecord, (string Id, IReadOnlyDictionary<string, JsonElement> Fields)> fields)
    {
        var types = new Dictionary<string, ExpressionType>(StringComparer.Ordinal);
        var conflicts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var (id, values) = fields(record);
            foreach (var (name, value) in values)
            {
                if (conflicts.ContainsKey(name) || JsonValues.Infer(value) is not { } type)
                {
                    continue;
                }

                if (!types.TryGetValue(name, out var seen))
                {
                    types[name] = type;
                }
                else if (!seen.Equals(type))
                {
                    types.Remove(name);
                    conflicts[name] = $"its values in the data are both {seen} and {type} (e.g. '{id}'); declare its type";
                }
            }
        }

        return new PropertyTypes(types, conflicts);
    }
}
