using System.Globalization;
using System.Text.Json;
using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Formats;

/// <summary>
/// GroupLens MovieLens "latest" releases (ml-latest-small, ml-latest, ml-25m...): <c>ratings.csv</c>,
/// <c>movies.csv</c> (genres), <c>tags.csv</c> (free-text tags, attached to the items; optionally also as
/// <c>tag</c> events) and <c>links.csv</c> (IMDb/TMDb ids as item properties). UTF-8 CSV with a header.
/// </summary>
/// <remarks>
/// tags.csv is held in memory to attach tags to items before the items are emitted (3,683 rows in the small
/// release, about 1M in ml-25m); ratings stream in constant memory.
/// </remarks>
public sealed class MovieLensLatestFormat : IDatasetFormat
{
    public const string TagEventType = "tag";

    public string Name => "movielens-latest";

    public string Description => "MovieLens latest/25M folder or ratings.csv (movies.csv genres, tags.csv tags, links.csv ids beside it).";

    public IReadOnlyList<DatasetOptionInfo> Options { get; } =
    [
        new("tag-events", "Also emit each tags.csv row as a 'tag' event (property 'tag' holds the text).", "false"),
    ];

    public IEnumerable<DatasetRecord> Read(string path, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DatasetOptions.Empty;
        options.Validate(this);
        var tagEvents = options.GetBool("tag-events", false);
        var ratings = DatasetPaths.Resolve(path, Name, "ratings.csv");
        return ReadAll(ratings[0], tagEvents, cancellationToken);
    }

    private IEnumerable<DatasetRecord> ReadAll(string ratingsFile, bool tagEvents, CancellationToken cancellationToken)
    {
        var tagsFile = DatasetPaths.Sibling(ratingsFile, "tags.csv");
        var tagsByItem = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var rejectedTags = new List<RejectedRecord>();
        if (tagsFile is not null)
        {
            foreach (var r in LineFile.Read(tagsFile, LineFile.Utf8, (line, n) => ParseTag(line, n, true), cancellationToken))
            {
                switch (r)
                {
                    case EventRecord { Event: var e }:
                        var list = GetOrAdd(tagsByItem, e.ItemId!);
                        var tag = e.Properties!["tag"].GetString()!;
                        if (!list.Contains(tag, StringComparer.OrdinalIgnoreCase))
                        {
                            list.Add(tag);
                        }

                        break;
                    case RejectedRecord rejected:
                        rejectedTags.Add(rejected);
                        break;
                }
            }
        }

        foreach (var r in rejectedTags)
        {
            yield return r;
        }

        var links = ReadLinks(DatasetPaths.Sibling(ratingsFile, "links.csv"));
        var moviesFile = DatasetPaths.Sibling(ratingsFile, "movies.csv");
        if (moviesFile is not null)
        {
            foreach (var r in LineFile.Read(moviesFile, LineFile.Utf8, (line, n) => ParseMovie(line, n, tagsByItem, links), cancellationToken))
            {
                yield return r;
            }
        }

        var parser = new RatingLineParser(Name, Path.GetFileName(ratingsFile), ',') { HasHeader = true };
        foreach (var r in LineFile.Read(ratingsFile, LineFile.Utf8, parser.Parse, cancellationToken))
        {
            yield return r;
        }

        if (tagEvents && tagsFile is not null)
        {
            foreach (var r in LineFile.Read(tagsFile, LineFile.Utf8, (line, n) => ParseTag(line, n, false), cancellationToken))
            {
                if (r is EventRecord)
                {
                    yield return r;
                }
            }
        }
    }

    private static List<string> GetOrAdd(Dictionary<string, List<string>> map, string key)
    {
        if (!map.TryGetValue(key, out var list))
        {
            list = [];
            map[key] = list;
        }

        return list;
    }

    private DatasetRecord? ParseTag(ReadOnlySpan<char> line, long n, bool reportErrors)
    {
        const string Source = "tags.csv";
        if (n == 1 || line.IsWhiteSpace())
        {
            return null;
        }

        Span<Range> f = stackalloc Range[5];
        var count = Csv.Split(line, ',', f, out var quoted);
        if (count != 4)
        {
            return reportErrors ? new RejectedRecord(count < 0 ? "unterminated quoted field" : $"expected 4 fields (userId,movieId,tag,timestamp), found {count}", Source, n) : null;
        }

        var user = line[f[0]].Trim().ToString();
        var item = line[f[1]].Trim().ToString();
        var tag = Csv.Field(line, f[2], 2, quoted).Trim();
        if (!Ids.IsValid(user) || !Ids.IsValid(item) || tag.Length == 0 || !Fields.TryUnixSeconds(line[f[3]], out var ts))
        {
            return reportErrors ? new RejectedRecord("a tag row needs a user id, a movie id, a tag and Unix seconds", Source, n) : null;
        }

        var id = EventIds.Hashed(Name + ":tag", [user, item, tag, ts.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)]);
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { ["tag"] = JsonValues.String(tag) };
        return new EventRecord(new Event(id, user, item, TagEventType, null, ts, Properties: properties), Source, n);
    }

    private static Dictionary<string, (string Imdb, string Tmdb)> ReadLinks(string? file)
    {
        var links = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (file is null)
        {
            return links;
        }

        LineFile.ForEach(file, LineFile.Utf8, (line, n) =>
        {
            var parts = line.Split(',');
            if (n > 1 && parts.Length == 3)
            {
                links[parts[0].Trim()] = (parts[1].Trim(), parts[2].Trim());
            }
        });
        return links;
    }

    private static DatasetRecord? ParseMovie(ReadOnlySpan<char> line, long n, Dictionary<string, List<string>> tags, Dictionary<string, (string Imdb, string Tmdb)> links)
    {
        const string Source = "movies.csv";
        if (n == 1 || line.IsWhiteSpace())
        {
            return null;
        }

        Span<Range> f = stackalloc Range[4];
        var count = Csv.Split(line, ',', f, out var quoted);
        if (count != 3)
        {
            return new RejectedRecord(count < 0 ? "unterminated quoted field" : $"expected 3 fields (movieId,title,genres), found {count}", Source, n);
        }

        var id = line[f[0]].Trim().ToString();
        if (!Ids.IsValid(id))
        {
            return new RejectedRecord($"movie id {Fields.Quote(id)} is not a valid id", Source, n);
        }

        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (links.TryGetValue(id, out var link))
        {
            if (link.Imdb.Length > 0)
            {
                properties["imdbId"] = JsonValues.String(link.Imdb);
            }

            if (link.Tmdb.Length > 0)
            {
                properties["tmdbId"] = JsonValues.String(link.Tmdb);
            }
        }

        var item = new Item(
            id,
            Title: Csv.Field(line, f[1], 1, quoted).Trim(),
            Categories: MovieLens1mFormat.SplitGenres(line[f[2]]),
            Tags: tags.TryGetValue(id, out var t) ? t : null,
            Properties: properties);
        return new ItemRecord(item, Source, n);
    }
}
