using Attune.Core;

namespace Attune.Core.Tests;

public class EventTypeRegistryTests
{
    [Fact]
    public void Purchase_counts_more_than_view_by_default()
    {
        var r = EventTypeRegistry.Default;
        Assert.True(r.SignedWeight(EventTypes.Purchase) > r.SignedWeight(EventTypes.View));
    }

    [Fact]
    public void Negative_types_get_a_negative_signed_weight()
    {
        Assert.True(EventTypeRegistry.Default.SignedWeight(EventTypes.Dislike) < 0);
    }

    [Fact]
    public void Neutral_types_do_not_count()
    {
        Assert.Equal(0f, EventTypeRegistry.Default.SignedWeight(EventTypes.Impression));
    }

    [Fact]
    public void Unknown_custom_type_gets_the_custom_default()
    {
        var r = new EventTypeRegistry(customDefault: new EventTypeDefinition("*", 0.25, Polarity.Positive));
        Assert.Equal(0.25f, r.SignedWeight("wishlist_share"));
        Assert.Equal("wishlist_share", r.Get("wishlist_share").Name);
    }

    [Fact]
    public void Configured_override_replaces_the_builtin_weight()
    {
        var r = new EventTypeRegistry([new EventTypeDefinition(EventTypes.View, 0.1, Polarity.Positive)]);
        Assert.Equal(0.1f, r.SignedWeight(EventTypes.View), 5);
    }

    [Theory]
    [InlineData("u1", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("a\u0001b", false)]
    public void Ids_are_validated(string? id, bool valid) => Assert.Equal(valid, Ids.IsValid(id));

    [Fact]
    public void Ids_longer_than_256_are_invalid()
    {
        Assert.True(Ids.IsValid(new string('x', 256)));
        Assert.False(Ids.IsValid(new string('x', 257)));
    }
}
