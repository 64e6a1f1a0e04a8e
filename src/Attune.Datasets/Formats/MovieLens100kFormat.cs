using System.Globalization;
using System.Text.Json;
using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Formats;

/// <summary>
/// GroupLens MovieLens 100K: <c>u.data</c> (user, item, rating, timestamp; tab separated), <c>u.item</c>
/// (titles, release dates, 19 genre flags) and <c>u.user</c> (age, gender, occupation, zip), Latin-1.
/// A path to <c>u.data</c> or to another ratings file of the release (<c>u1.base</c>) reads that file's
/// ratings with the catalog and users from the same folder.
/// </summary>
public sealed class MovieLens100kFormat : IDatasetFormat
{
    private static readonly string[] DefaultGenres =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    public string Name => "movielens-100k";

    public string Description => "MovieLens 100K folder or ratings file (u.data; u.item genres, u.user attributes beside it).";

    public IReadOnlyList<DatasetOptionInfo> Options { get; } = [];

    public IEnumerable<DatasetRecord> Read(string path, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        (options ?? DatasetOptions.Empty).Validate(this);
        var ratings = DatasetPaths.Resolve(path, Name, "u.data");
        return ReadAll(ratings[0], cancellationToken);
    }

    private IEnumerable<DatasetRecord> ReadAll(string ratingsFile, CancellationToken cancellationToken)
    {
        var genreFile = DatasetPaths.Sibling(ratingsFile, "u.genre");
        var genres = genreFile is null ? DefaultGenres : ReadGenres(genreFile);
        var itemFile = DatasetPaths.Sibling(ratingsFile, "u.item");
        if (itemFile is not null)
        {
            foreach (var r in LineFile.Read(itemFile, LineFile.Latin1, (line, n) => ParseItem(line, n, genres), cancellationToken))
            {
                yield return r;
            }
        }

        var userFile = DatasetPaths.Sibling(ratingsFile, "u.user");
        if (userFile is not null)
        {
            foreach (var r in LineFile.Read(userFile, LineFile.Latin1, ParseUser, cancellationToken))
            {
                yield return r;
            }
        }

        var parser = new RatingLineParser(Name, Path.GetFileName(ratingsFile), '\t');
        foreach (var r in LineFile.Read(ratingsFile, LineFile.Latin1, parser.Parse, cancellationToken))
        {
            yield return r;
        }
    }

    private static string[] ReadGenres(string file)
    {
        var genres = new List<(int Index, string Name)>();
        LineFile.ForEach(file, LineFile.Latin1, (line, _) =>
        {
            var bar = line.LastIndexOf('|');
            if (bar > 0 && int.TryParse(line.AsSpan(bar + 1), CultureInfo.InvariantCulture, out var index))
            {
                genres.Add((index, line[..bar]));
            }
        });
        genres.Sort((a, b) => a.Index.CompareTo(b.Index));
        return genres.Count == 0 ? DefaultGenres : [.. genres.Select(g => g.Name)];
    }

    private static DatasetRecord? ParseItem(ReadOnlySpan<char> line, long n, string[] genres)
    {
        const string Source = "u.item";
        if (line.IsWhiteSpace())
        {
            return null;
        }

        Span<Range> f = stackalloc Range[5 + genres.Length + 1];
        var count = line.Split(f, '|');
        if (count != 5 + genres.Length)
        {
            return new RejectedRecord($"expected {5 + genres.Length} '|'-separated fields, found {count}", Source, n);
        }

        var id = line[f[0]].Trim();
        if (!Ids.IsValid(id.ToString()))
        {
            return new RejectedRecord($"movie id {Fields.Quote(id)} is not a valid id", Source, n);
        }

        var categories = new List<string>(3);
        for (var g = 0; g < genres.Length; g++)
        {
            if (line[f[5 + g]].Trim().SequenceEqual("1") && genres[g] != "unknown")
            {
                categories.Add(genres[g]);
            }
        }

        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        DateTimeOffset? released = null;
        var date = line[f[2]].Trim();
        if (!date.IsEmpty)
        {
            if (!DateTimeOffset.TryParseExact(date, "d-MMM-yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
            {
                return new RejectedRecord($"release date {Fields.Quote(date)} is not dd-MMM-yyyy", Source, n);
            }

            released = d;
            properties["releaseDate"] = JsonValues.String(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        var url = line[f[4]].Trim();
        if (!url.IsEmpty)
        {
            properties["imdbUrl"] = JsonValues.String(url.ToString());
        }

        var item = new Item(id.ToString(), Title: line[f[1]].Trim().ToString(), Categories: categories, Created: released, Properties: properties);
        return new ItemRecord(item, Source, n);
    }

    private static DatasetRecord? ParseUser(ReadOnlySpan<char> line, long n)
    {
        const string Source = "u.user";
        if (line.IsWhiteSpace())
        {
            return null;
        }

        Span<Range> f = stackalloc Range[6];
        var count = line.Split(f, '|');
        if (count != 5)
        {
            return new RejectedRecord($"expected 5 '|'-separated fields (id|age|gender|occupation|zip), found {count}", Source, n);
        }

        var id = line[f[0]].Trim().ToString();
        if (!Ids.IsValid(id))
        {
            return new RejectedRecord($"user id {Fields.Quote(id)} is not a valid id", Source, n);
        }

        if (!Fields.TryLong(line[f[1]], out var age))
        {
            return new RejectedRecord($"age {Fields.Quote(line[f[1]])} is not a number", Source, n);
        }

        var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["age"] = JsonValues.Number(age),
            ["gender"] = JsonValues.String(line[f[2]].Trim().ToString()),
            ["occupation"] = JsonValues.String(line[f[3]].Trim().ToString()),
            ["zip"] = JsonValues.String(line[f[4]].Trim().ToString()),
        };
        return new UserRecord(new User(id, attributes), Source, n);
    }
}
