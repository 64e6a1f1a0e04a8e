using Attune.Core;

namespace Attune.Datasets.Tests;

public sealed class EcommerceFormatTests
{
    [Fact]
    public void Taobao_maps_behaviors_emits_each_item_once_with_its_category_and_rejects_unknown_behaviors()
    {
        using var data = new InlineDataset().With(
            "UserBehavior.csv",
            "1,100,7,pv,1511544070\n1,100,7,cart,1511544071\n2,101,8,fav,1511544072\n2,101,8,buy,1511544073\n2,102,8,like,1511544074\n3,103,9,pv\n");

        var records = data.Read("taobao");

        Assert.Equal([EventTypes.View, EventTypes.AddToCart, EventTypes.Bookmark, EventTypes.Purchase], records.Events().Select(e => e.Type));
        Assert.Equal(["100", "101"], records.Items().Select(i => i.Id));
        Assert.Equal(["7"], records.Items()[0].Categories);
        var rejected = records.Rejected();
        Assert.Equal([5L, 6L], rejected.Select(r => r.Line));
        Assert.Contains("behavior 'like'", rejected[0].Reason, StringComparison.Ordinal);
        Assert.Contains("expected 5", rejected[1].Reason, StringComparison.Ordinal);
        var firstItem = records.FindIndex(r => r is ItemRecord);
        var firstEvent = records.FindIndex(r => r is EventRecord);
        Assert.True(firstItem < firstEvent, "an item comes before its first event");
    }

    [Fact]
    public void Rees46_reads_sessions_prices_brand_and_category_path()
    {
        using var data = new InlineDataset().With(
            "2019-Oct.csv",
            "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n" +
            "2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,72d76fde\n" +
            "2019-10-01 00:00:05 UTC,purchase,3900821,2053013552326770905,appliances.environment.water_heater,aqua,33.20,554748717,9333dfbd\n" +
            "2019-10-01 00:00:06 UTC,wishlist,3900821,2053013552326770905,,,33.20,554748717,9333dfbd\n" +
            "yesterday,view,3900821,2053013552326770905,,,33.20,554748717,9333dfbd\n");

        var records = data.Read("rees46");

        var events = records.Events();
        Assert.Equal(2, events.Count);
        Assert.Null(events[0].Value);
        Assert.Equal("72d76fde", events[0].SessionId);
        Assert.Equal(EventTypes.Purchase, events[1].Type);
        Assert.Equal(33.20, events[1].Value);
        Assert.Equal(new DateTimeOffset(2019, 10, 1, 0, 0, 5, TimeSpan.Zero), events[1].Timestamp);
        var heater = records.Items()[1];
        Assert.Equal(["appliances", "appliances.environment", "appliances.environment.water_heater"], heater.Categories);
        Assert.Equal("aqua", heater.Properties["brand"].GetString());
        Assert.Equal(33.20, heater.Price);
        Assert.Equal([4L, 5L], records.Rejected().Select(r => r.Line));
    }

    [Fact]
    public void Rees46_file_without_the_expected_header_fails_with_the_missing_column()
    {
        using var data = new InlineDataset().With("x.csv", "time,type\n1,view\n");

        var ex = Assert.Throws<DatasetException>(() => data.Read("rees46"));

        Assert.Contains("event_time", ex.Message, StringComparison.Ordinal);
    }
}
