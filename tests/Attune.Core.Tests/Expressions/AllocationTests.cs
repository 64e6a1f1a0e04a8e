using System.Text.Json;
using Attune.Core.Expressions;

namespace Attune.Core.Tests.Expressions;

public class AllocationTests
{
    private static long AllocatedWhileEvaluating<T>(ExpressionPredicate<T> predicate, T[] records)
    {
        foreach (var r in records)
        {
            predicate.Matches(r);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = 0;
        for (var round = 0; round < 10; round++)
        {
            foreach (var r in records)
            {
                count += predicate.Matches(r) ? 1 : 0;
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(count >= 0);
        return allocated;
    }

    [Theory]
    [InlineData("category in [\"shoes\", \"bags\"] and price < 100 and not tags contains \"adult\"")]
    [InlineData("category in [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"shoes\"] or price >= 10 and available")]
    [InlineData("properties.brand == \"acme\" and properties.rating >= 4")]
    [InlineData("properties.brand in [\"acme\", \"other\"] or properties.brand != \"x\"")]
    [InlineData("days_since(created) < 30 and len(tags) > 0 and title startsWith \"T\"")]
    [InlineData("price * 2 + 1 > 10 and price != null and exists(properties.rating)")]
    public void Common_item_filters_allocate_nothing_per_evaluation(string text)
    {
        var props = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"brand":"acme","rating":4.5}""")!;
        Item[] items =
        [
            new("a", Title: "Trail", Categories: ["shoes"], Tags: ["sale"], Price: 50, Created: DateTimeOffset.UtcNow, Properties: props),
            new("b", Categories: ["bags"], Tags: ["adult"], Price: 150),
            new("c"),
        ];
        var predicate = ItemSchema.Create(sample: items).CompilePredicate(text);

        Assert.Equal(0, AllocatedWhileEvaluating(predicate, items));
    }

    [Fact]
    public void A_profile_segment_allocates_nothing_per_evaluation()
    {
        var predicate = Row.Binder.CompilePredicate(
            "rfm.recency_days <= 30 and interests.category[\"sports\"] > 0.3 and attributes.country == \"DE\"");

        Assert.Equal(0, AllocatedWhileEvaluating(predicate, [Row.Full, Row.Empty, Row.WrongJson]));
    }

    [Fact]
    public void Lower_allocates_as_documented_which_shows_the_measurement_works()
    {
        var predicate = Row.Binder.CompilePredicate("lower(title) == \"trail runner\"");

        Assert.True(AllocatedWhileEvaluating(predicate, [Row.Full]) > 0);
    }
}
