using Attune.Core;

namespace Attune.Datasets.Tests;

public sealed class MovieLensFormatTests
{
    [Fact]
    public void MovieLens100k_reads_ratings_items_and_users_and_reports_bad_lines_by_number()
    {
        using var data = new InlineDataset()
            .With("u.data", "1\t10\t4\t881250949\n2\t10\tfive\t881250949\n\n3\t11\t2\n4\t11\t3\t881250950\n")
            .With("u.item", "10|Caf\u00e9 (1995)|01-Jan-1995||http://x|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1\n11|Short|4-Feb-1971||x|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n")
            .With("u.user", "1|24|M|technician|85711\n2|x|F|other|94043\n");

        var records = data.Read("movielens-100k");

        var events = records.Events();
        Assert.Equal(["1", "4"], events.Select(e => e.UserId));
        Assert.Equal(EventTypes.Rating, events[0].Type);
        Assert.Equal(4.0, events[0].Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(881250949), events[0].Timestamp);
        Assert.Equal("movielens-100k:1:10:4:881250949", events[0].Id);
        var items = records.Items();
        Assert.Equal("Caf\u00e9 (1995)", items[0].Title);
        Assert.Equal(["Action", "Western"], items[0].Categories);
        Assert.Empty(items[1].Categories);
        Assert.Equal("1971-02-04", items[1].Properties["releaseDate"].GetString());
        var user = Assert.Single(records.Users());
        Assert.Equal(24, user.Attributes["age"].GetInt32());
        Assert.Equal("technician", user.Attributes["occupation"].GetString());
        var rejected = records.Rejected();
        Assert.Contains(rejected, r => r is { Source: "u.data", Line: 2 } && r.Reason.Contains("rating 'five' is not a number", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r is { Source: "u.data", Line: 4 } && r.Reason.Contains("expected 4 fields", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r is { Source: "u.user", Line: 2 } && r.Reason.Contains("age", StringComparison.Ordinal));
        Assert.Equal(3, rejected.Count);
    }

    [Fact]
    public void MovieLens100k_same_file_read_twice_gives_the_same_event_ids()
    {
        using var data = new InlineDataset().With("u.data", "1\t10\t4\t881250949\n1\t11\t3\t881250950\n");

        var first = data.Read("movielens-100k").Events().Select(e => e.Id);
        var second = data.Read("movielens-100k").Events().Select(e => e.Id);

        Assert.Equal(first, second);
        Assert.Equal(2, first.Distinct().Count());
    }

    [Fact]
    public void MovieLens1m_reads_double_colon_files_and_gzip_ratings()
    {
        using var data = new InlineDataset()
            .With("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n2::broken\n")
            .With("users.dat", "1::F::1::10::48067\n2::M::99::16::70072\n");
        using (var gz = new System.IO.Compression.GZipStream(File.Create(data.File("ratings-part.dat.gz")), System.IO.Compression.CompressionLevel.Fastest))
        {
            gz.Write("1::1::5::978300760\n1::2::x::978300761\r\n2::1::3::978300762\n"u8);
        }

        var records = data.Read("movielens-1m");

        Assert.Equal(2, records.Events().Count);
        var movie = Assert.Single(records.Items());
        Assert.Equal(["Animation", "Children's", "Comedy"], movie.Categories);
        var user = Assert.Single(records.Users());
        Assert.Equal("Under 18", user.Attributes["ageGroup"].GetString());
        Assert.Equal("K-12 student", user.Attributes["occupation"].GetString());
        var rejected = records.Rejected();
        Assert.Contains(rejected, r => r is { Source: "movies.dat", Line: 2 });
        Assert.Contains(rejected, r => r is { Source: "users.dat", Line: 2 } && r.Reason.Contains("age code", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r is { Source: "ratings-part.dat.gz", Line: 2 } && r.Reason.Contains("rating 'x'", StringComparison.Ordinal));
    }

    [Fact]
    public void MovieLensLatest_reads_quoted_titles_tags_and_half_star_ratings()
    {
        using var data = new InlineDataset()
            .With("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.5,964982703\n1,2,4.0\n")
            .With("movies.csv", "movieId,title,genres\n1,\"American President, The (1995)\",Comedy|Drama|Romance\n2,Heat (1995),(no genres listed)\n3,\"Open, (1999),Drama\n")
            .With("tags.csv", "userId,movieId,tag,timestamp\n2,1,funny,1445714994\n3,1,\"\"\"artsy\"\"\",1445714995\n4,1,Funny,1445714996\n")
            .With("links.csv", "movieId,imdbId,tmdbId\n1,0112346,9087\n");

        var records = data.Read("movielens-latest", ("tag-events", "true"));

        var items = records.Items();
        Assert.Equal("American President, The (1995)", items[0].Title);
        Assert.Equal(["Comedy", "Drama", "Romance"], items[0].Categories);
        Assert.Equal(["funny", "\"artsy\""], items[0].Tags);
        Assert.Equal("0112346", items[0].Properties["imdbId"].GetString());
        Assert.Empty(items[1].Categories);
        var events = records.Events();
        Assert.Equal(4.5, events[0].Value);
        Assert.Equal(3, events.Count(e => e.Type == "tag"));
        var rejected = records.Rejected();
        Assert.Contains(rejected, r => r is { Source: "movies.csv", Line: 4 } && r.Reason.Contains("unterminated", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r is { Source: "ratings.csv", Line: 3 });
    }
}
