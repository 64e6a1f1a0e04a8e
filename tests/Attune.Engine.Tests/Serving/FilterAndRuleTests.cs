using Attune.Engine.Serving;

namespace Attune.Engine.Tests.Serving;

public class FilterAndRuleTests
{
    [Fact]
    public void Seen_excluded_and_unavailable_items_are_never_recommended()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(20, 4, unavailable: [2]));
        var request = ServingFixtures.Request(20) with { Seen = new HashSet<int> { 0 }, Exclude = new HashSet<int> { 1, 3 } };

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.Equal(4, list[0]);
        Assert.DoesNotContain(0, list);
        Assert.DoesNotContain(1, list);
        Assert.DoesNotContain(2, list);
        Assert.DoesNotContain(3, list);
    }

    [Fact]
    public void A_filter_expression_keeps_only_matching_items()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(40, 4));
        var request = ServingFixtures.Request(40) with { Filter = "category in [\"c1\", \"c2\"] and price < 20" };

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.Equal([1, 2, 5, 6, 9, 10, 13, 14, 17, 18], list);
    }

    [Fact]
    public void A_global_filter_applies_to_every_request()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(20, 4), new PipelineOptions(Diversity: DiversityOptions.None, GlobalFilter: "not tags contains \"sale\""));

        var list = ServingFixtures.Indices(pipeline.Rank(ServingFixtures.Request(20)));

        Assert.DoesNotContain(0, list);
        Assert.DoesNotContain(7, list);
        Assert.DoesNotContain(14, list);
        Assert.Equal(17, list.Length);
    }

    [Fact]
    public void A_bad_filter_is_a_request_error_with_field_and_column()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(5, 2));
        var request = ServingFixtures.Request(5) with { Filter = "price < 10 and prise > 2" };

        var e = Assert.Throws<RecommendationRequestException>(() => pipeline.Rank(request));

        Assert.Equal("filter", e.Field);
        Assert.Equal(16, e.Column);
        Assert.Contains("prise", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_rule_condition_names_the_rule_index()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(5, 2));
        var request = ServingFixtures.Request(5) with { Rules = [BusinessRule.Boost("price < 3", 2), BusinessRule.Bury("price")] };

        var e = Assert.Throws<RecommendationRequestException>(() => pipeline.Rank(request));

        Assert.Equal("rules[1].condition", e.Field);
    }

    [Fact]
    public void When_everything_is_filtered_the_response_is_empty_without_a_cursor()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));
        var request = ServingFixtures.Request(10) with { Filter = "price > 1000" };

        var response = pipeline.Recommend(request);

        Assert.Empty(response.Items);
        Assert.Null(response.NextCursor);
    }

    [Fact]
    public void A_boost_reorders_the_list()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));
        var request = ServingFixtures.Request(10) with { Rules = [BusinessRule.Boost("id == \"i5\"", multiply: 10)] };

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.Equal([5, 0, 1, 2, 3, 4, 6, 7, 8, 9], list);
    }

    [Fact]
    public void An_additive_boost_from_global_rules_and_a_request_boost_both_apply()
    {
        var options = new PipelineOptions(Diversity: DiversityOptions.None, GlobalRules: [BusinessRule.Boost("id == \"i9\"", add: 0.5)]);
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2), options);
        var request = ServingFixtures.Request(10) with { Rules = [BusinessRule.Boost("id == \"i9\"", multiply: 2)] };

        var list = pipeline.Rank(request);

        // i9's normalized score 0.1, +0.5 globally, then x2 = 1.2: above i0's 1.0.
        Assert.Equal(9, list[0].Item);
        Assert.Equal(1.2, list[0].Score, 9);
    }

    [Fact]
    public void Buried_items_go_below_all_others_in_their_own_order()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(8, 2));
        var request = ServingFixtures.Request(8) with { Rules = [BusinessRule.Bury("category contains \"c0\"")] };

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.Equal([1, 3, 5, 7, 0, 2, 4, 6], list);
    }

    [Fact]
    public void Pins_land_at_their_positions_and_the_rest_keeps_its_order()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));
        var request = ServingFixtures.Request(10) with
        {
            Rules = [BusinessRule.Pin("id == \"i8\"", 0), BusinessRule.Pin("id == \"i9\"", 3)],
        };

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.Equal([8, 0, 1, 9, 2, 3, 4, 5, 6, 7], list);
    }

    [Fact]
    public void A_pin_picks_the_best_matching_item_and_wins_over_a_bury()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));
        var request = ServingFixtures.Request(10) with
        {
            Rules = [BusinessRule.Bury("price >= 5"), BusinessRule.Pin("price >= 5", 1)],
        };

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.Equal(5, list[1]);
        Assert.Equal([0, 5, 1, 2, 3, 4, 6, 7, 8, 9], list);
    }

    [Fact]
    public void A_pin_past_the_end_of_a_full_list_still_shows_at_its_end()
    {
        var options = new PipelineOptions(ListLength: 5, Diversity: DiversityOptions.None);
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(20, 2), options);
        var request = ServingFixtures.Request(20, count: 5) with { Rules = [BusinessRule.Pin("id == \"i15\"", 50)] };

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.Equal([0, 1, 2, 3, 15], list);
    }

    [Fact]
    public void A_pin_never_brings_back_a_filtered_item()
    {
        var pipeline = ServingFixtures.Pipeline(ServingFixtures.Items(10, 2));
        var request = ServingFixtures.Request(10) with { Exclude = new HashSet<int> { 8 }, Rules = [BusinessRule.Pin("id == \"i8\"", 0)] };

        var list = ServingFixtures.Indices(pipeline.Rank(request));

        Assert.DoesNotContain(8, list);
        Assert.Equal(0, list[0]);
    }
}
