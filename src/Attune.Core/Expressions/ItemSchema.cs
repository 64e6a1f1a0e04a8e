using System.Text.Json;

namespace Attune.Core.Expressions;

/// <summary>
/// The expression fields of a catalog <see cref="Item"/>: <c>id</c>, <c>title</c>, <c>text</c> (strings),
/// <c>category</c> and <c>categories</c> (the same list of strings), <c>tags</c> (list of strings),
/// <c>price</c> (number), <c>available</c> (bool), <c>created</c>, <c>updated</c> (times), and
/// <c>properties.NAME</c> for each extra property whose type is declared or inferred from a sample of the catalog.
/// </summary>
public static class ItemSchema
{
    public const string PropertiesPrefix = "properties.";

    /// <summary>Builds the binder for items.</summary>
    /// <param name="declaredProperties">Property name (without the prefix) to type; wins over inference.</param>
    /// <param name="sample">Items whose property values fix the types of undeclared properties.</param>
    public static RecordBinder<Item> Create(
        IReadOnlyDictionary<string, ExpressionType>? declaredProperties = null,
        IEnumerable<Item>? sample = null)
    {
        var binder = new RecordBinder<Item>()
            .AddString("id", i => i.Id)
            .AddString("title", i => i.Title)
            .AddString("text", i => i.Text)
            .AddStringList("category", i => i.Categories)
            .AddStringList("categories", i => i.Categories)
            .AddStringList("tags", i => i.Tags)
            .AddNumber("price", i => i.Price)
            .AddBool("available", i => i.Available)
            .AddTime("created", i => i.Created)
            .AddTime("updated", i => i.Updated);

        var inferred = InferPropertyTypes(sample ?? []);
        JsonFields.Bind(binder, PropertiesPrefix, declaredProperties, inferred, static name =>
            item => item.Properties.TryGetValue(name, out var e) ? e : default);
        return binder;
    }

    /// <summary>
    /// The type of each property from its JSON values: strings, numbers, booleans, arrays of strings or of numbers.
    /// A property seen with two different types is a conflict (it must be declared); nulls, objects and empty
    /// arrays say nothing. O(items x properties).
    /// </summary>
    public static PropertyTypes InferPropertyTypes(IEnumerable<Item> items) =>
        JsonFields.Infer(items, static item => (item.Id, item.Properties));
}

/// <param name="Types">Property name to inferred type.</param>
/// <param name="Conflicts">Property name to why no single type fits.</param>
public sealed record PropertyTypes(
    IReadOnlyDictionary<string, ExpressionType> Types,
    IReadOnlyDictionary<string, string> Conflicts);
