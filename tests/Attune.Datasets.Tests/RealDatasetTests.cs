using Attune.Core;
using Attune.TestSupport;

namespace Attune.Datasets.Tests;

public sealed class RealDatasetTests
{
    [DataFact("movielens-100k/u.data")]
    public void MovieLens100k_folder_reads_100000_ratings_943_users_1682_items()
    {
        var counts = Count("movielens-100k", SharedData.Require("movielens-100k"));

        Assert.Equal(100_000, counts.Events);
        Assert.Equal(943, counts.Users);
        Assert.Equal(1_682, counts.Items);
        Assert.Equal(0, counts.Rejected);
        Assert.Equal(100_000, counts.DistinctEventIds);
        Assert.Equal(943, counts.DistinctEventUsers);
        Assert.Equal([EventTypes.Rating], counts.Types);
    }

    [DataFact("movielens-100k/u.item")]
    public void MovieLens100k_items_carry_genres_and_release_date()
    {
        var toyStory = DatasetFormats.Read("movielens-100k", SharedData.Require("movielens-100k"))
            .OfType<ItemRecord>().Select(r => r.Item).First(i => i.Id == "1");

        Assert.Equal("Toy Story (1995)", toyStory.Title);
        Assert.Equal(["Animation", "Children's", "Comedy"], toyStory.Categories);
        Assert.Equal("1995-01-01", toyStory.Properties["releaseDate"].GetString());
    }

    [DataFact("movielens-1m/ratings-users-0001-2999.dat.gz")]
    public void MovieLens1m_partial_gzip_ratings_read_487650_events()
    {
        var counts = Count("movielens-1m", SharedData.Require("movielens-1m"));

        Assert.Equal(487_650, counts.Events);
        Assert.Equal(2_999, counts.DistinctEventUsers);
        Assert.Equal(3_883, counts.Items);
        Assert.Equal(6_040, counts.Users);
        Assert.Equal(0, counts.Rejected);
        Assert.Equal(487_650, counts.DistinctEventIds);
    }

    [DataFact("movielens-latest-small/ratings.csv")]
    public void MovieLensLatest_reads_100836_ratings_and_9742_movies_with_tags()
    {
        var path = SharedData.Require("movielens-latest-small");
        var counts = Count("movielens-latest", path);

        Assert.Equal(100_836, counts.Events);
        Assert.Equal(9_742, counts.Items);
        Assert.Equal(610, counts.DistinctEventUsers);
        Assert.Equal(0, counts.Rejected);
        var tagged = DatasetFormats.Read("movielens-latest", path).OfType<ItemRecord>().Count(r => r.Item.Tags.Count > 0);
        Assert.True(tagged > 1_000, $"{tagged} tagged movies");
    }

    [DataFact("movielens-latest-small/tags.csv")]
    public void MovieLensLatest_with_tag_events_adds_3683_tag_events()
    {
        var counts = Count("movielens-latest", SharedData.Require("movielens-latest-small"), new DatasetOptions([new("tag-events", "true")]));

        Assert.Equal(100_836 + 3_683, counts.Events);
        Assert.Contains(Formats.MovieLensLatestFormat.TagEventType, counts.Types);
    }

    [DataFact("taobao-userbehavior-sample/UserBehavior-first814users.csv")]
    public void Taobao_sample_reads_84287_events_of_814_users_and_55233_items()
    {
        var counts = Count("taobao", SharedData.Require("taobao-userbehavior-sample"));

        Assert.Equal(84_287, counts.Events);
        Assert.Equal(814, counts.DistinctEventUsers);
        Assert.Equal(55_233, counts.Items);
        Assert.Equal(0, counts.Rejected);
        Assert.Equal(84_287, counts.DistinctEventIds);
        Assert.Equal(75_693, counts.ByType[EventTypes.View]);
        Assert.Equal(4_494, counts.ByType[EventTypes.AddToCart]);
        Assert.Equal(2_351, counts.ByType[EventTypes.Bookmark]);
        Assert.Equal(1_749, counts.ByType[EventTypes.Purchase]);
    }

    [DataFact("rees46-ecommerce-2019oct-head/2019-Oct-head5019.csv")]
    public void Rees46_head_reads_5019_rows_with_one_row_written_four_times()
    {
        var counts = Count("rees46", SharedData.Require("rees46-ecommerce-2019oct-head"));

        Assert.Equal(5_019, counts.Events);
        Assert.Equal(5_016, counts.DistinctEventIds);
        Assert.Equal(1_755, counts.DistinctEventUsers);
        Assert.Equal(2_312, counts.Items);
        Assert.Equal(4_915, counts.ByType[EventTypes.View]);
        Assert.Equal(50, counts.ByType[EventTypes.AddToCart]);
        Assert.Equal(54, counts.ByType[EventTypes.Purchase]);
        Assert.Equal(0, counts.Rejected);
    }

    private static Counts Count(string format, string path, DatasetOptions? options = null)
    {
        var c = new Counts();
        foreach (var r in DatasetFormats.Read(format, path, options))
        {
            switch (r)
            {
                case EventRecord e:
                    c.Events++;
                    c.Ids.Add(e.Event.Id!);
                    c.EventUsers.Add(e.Event.UserId);
                    c.ByType[e.Event.Type] = c.ByType.GetValueOrDefault(e.Event.Type) + 1;
                    break;
                case ItemRecord i:
                    c.ItemIds.Add(i.Item.Id);
                    break;
                case UserRecord:
                    c.Users++;
                    break;
                case RejectedRecord:
                    c.Rejected++;
                    break;
            }
        }

        return c;
    }

    private sealed class Counts
    {
        public int Events { get; set; }

        public int Users { get; set; }

        public int Rejected { get; set; }

        public HashSet<string> Ids { get; } = [];

        public HashSet<string> EventUsers { get; } = [];

        public HashSet<string> ItemIds { get; } = [];

        public Dictionary<string, int> ByType { get; } = [];

        public int Items => ItemIds.Count;

        public int DistinctEventIds => Ids.Count;

        public int DistinctEventUsers => EventUsers.Count;

        public string[] Types => [.. ByType.Keys.Order(StringComparer.Ordinal)];
    }
}
