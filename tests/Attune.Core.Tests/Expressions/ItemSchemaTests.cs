using System.Text.Json;
using Attune.Core.Expressions;

namespace Attune.Core.Tests.Expressions;

public class ItemSchemaTests
{
    private static readonly DateTimeOffset May1 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, JsonElement> Props(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    private static readonly Item Shoe = new(
        "sku-1",
        Title: "Trail Runner",
        Categories: ["shoes", "outdoor"],
        Tags: ["sale"],
        Text: "A light shoe",
        Price: 79.5,
        Available: true,
        Created: May1,
        Updated: May1.AddDays(10),
        Properties: Props("""{"brand":"acme","rating":4.5,"vegan":true,"sizes":["42","43"],"launched":"2024-04-01T00:00:00Z"}"""));

    private static readonly Item AdultBag = new(
        "sku-2",
        Title: "Leather Bag",
        Categories: ["bags"],
        Tags: ["adult"],
        Price: 250,
        Available: false,
        Properties: Props("""{"brand":"other","rating":3}"""));

    private static readonly Item Bare = new("sku-3");

    private static readonly Item[] Catalog = [Shoe, AdultBag, Bare];

    private static string[] Matching(string text, RecordBinder<Item>? binder = null)
    {
        var predicate = (binder ?? ItemSchema.Create(sample: Catalog)).CompilePredicate(text);
        return Catalog.Where(predicate.Matches).Select(i => i.Id).ToArray();
    }

    [Theory]
    [InlineData("category in [\"shoes\", \"bags\"] and price < 100 and not tags contains \"adult\"", new[] { "sku-1" })]
    [InlineData("categories contains \"bags\"", new[] { "sku-2" })]
    [InlineData("id == \"sku-3\"", new[] { "sku-3" })]
    [InlineData("title startsWith \"Trail\"", new[] { "sku-1" })]
    [InlineData("text contains \"light\"", new[] { "sku-1" })]
    [InlineData("available", new[] { "sku-1", "sku-3" })]
    [InlineData("not available", new[] { "sku-2" })]
    [InlineData("price > 100", new[] { "sku-2" })]
    [InlineData("price == null", new[] { "sku-3" })]
    [InlineData("created >= \"2024-05-01\" and updated > created", new[] { "sku-1" })]
    [InlineData("len(category) == 0", new[] { "sku-3" })]
    [InlineData("properties.brand == \"acme\"", new[] { "sku-1" })]
    [InlineData("properties.brand in [\"acme\", \"other\"]", new[] { "sku-1", "sku-2" })]
    [InlineData("properties.rating >= 4", new[] { "sku-1" })]
    [InlineData("properties.vegan", new[] { "sku-1" })]
    [InlineData("properties.sizes contains \"43\"", new[] { "sku-1" })]
    [InlineData("not exists(properties.brand)", new[] { "sku-3" })]
    public void Filters_select_the_right_catalog_items(string text, string[] expected) =>
        Assert.Equal(expected, Matching(text));

    [Fact]
    public void Property_types_are_inferred_from_the_sample()
    {
        var types = ItemSchema.InferPropertyTypes(Catalog).Types;

        Assert.Equal(ExpressionType.String, types["brand"]);
        Assert.Equal(ExpressionType.Number, types["rating"]);
        Assert.Equal(ExpressionType.Bool, types["vegan"]);
        Assert.Equal(ExpressionType.StringList, types["sizes"]);
        Assert.Equal(ExpressionType.String, types["launched"]);
    }

    [Fact]
    public void A_declared_property_type_wins_over_inference()
    {
        var binder = ItemSchema.Create(
            new Dictionary<string, ExpressionType> { ["launched"] = ExpressionType.Parse("time") },
            Catalog);

        Assert.Equal(["sku-1"], Matching("properties.launched < \"2024-05-01\"", binder));
        Assert.Equal(ExpressionType.Time, binder.Schema.Fields["properties.launched"]);
    }

    [Fact]
    public void A_property_with_mixed_json_types_is_explained_not_unknown()
    {
        Item[] catalog = [new("a", Properties: Props("""{"size":42}""")), new("b", Properties: Props("""{"size":"XL"}"""))];
        var binder = ItemSchema.Create(sample: catalog);

        var error = Assert.Throws<ExpressionException>(() => binder.CompilePredicate("properties.size > 40"));

        Assert.Equal("column 1: 'properties.size' cannot be used: its values in the data are both number and string (e.g. 'b'); declare its type", error.Message);
    }

    [Fact]
    public void Unknown_properties_get_suggestions()
    {
        var error = Assert.Throws<ExpressionException>(() => ItemSchema.Create(sample: Catalog).CompilePredicate("properties.brnd == \"acme\""));

        Assert.Equal("column 1: unknown field 'properties.brnd' (did you mean 'properties.brand'?)", error.Message);
    }

    [Fact]
    public void Property_names_that_are_not_identifiers_are_skipped()
    {
        var binder = ItemSchema.Create(sample: [new Item("a", Properties: Props("""{"color-code":"red","ok":1}"""))]);

        Assert.True(binder.Schema.Fields.ContainsKey("properties.ok"));
        Assert.DoesNotContain(binder.Schema.Fields.Keys, k => k.Contains('-', StringComparison.Ordinal));
    }

    [Fact]
    public void Item_schema_lists_every_builtin_field()
    {
        var fields = ItemSchema.Create().Schema.Fields;

        Assert.Equal(
            ["available", "categories", "category", "created", "id", "price", "tags", "text", "title", "updated"],
            fields.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(ExpressionType.StringList, fields["category"]);
        Assert.Equal(ExpressionType.Time, fields["created"]);
    }
}
