using System.Globalization;
using System.Text.Json;
using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Formats;

/// <summary>
/// GroupLens MovieLens 1M: <c>ratings.dat</c> (or gzip-compressed <c>ratings*.dat.gz</c>, or several
/// <c>ratings*.dat</c> parts read in name order), <c>movies.dat</c> (title, pipe-separated genres) and
/// <c>users.dat</c> (gender, age group, occupation, zip); <c>::</c>-separated, Latin-1.
/// </summary>
public sealed class MovieLens1mFormat : IDatasetFormat
{
    private static readonly Dictionary<int, string> AgeGroups = new()
    {
        [1] = "Under 18", [18] = "18-24", [25] = "25-34", [35] = "35-44", [45] = "45-49", [50] = "50-55", [56] = "56+",
    };

    private static readonly string[] Occupations =
    [
        "other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
        "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer", "programmer",
        "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer", "tradesman/craftsman",
        "unemployed", "writer",
    ];

    public string Name => "movielens-1m";

    public string Description => "MovieLens 1M folder or ratings file (ratings.dat or ratings*.dat.gz; movies.dat genres, users.dat attributes beside it).";

    public IReadOnlyList<DatasetOptionInfo> Options { get; } = [];

    public IEnumerable<DatasetRecord> Read(string path, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        (options ?? DatasetOptions.Empty).Validate(this);
        var files = DatasetPaths.Resolve(path, Name, "ratings.dat", "ratings*.dat", "ratings*.dat.gz");
        return ReadAll(files, cancellationToken);
    }

    private IEnumerable<DatasetRecord> ReadAll(IReadOnlyList<string> ratingFiles, CancellationToken cancellationToken)
    {
        var movies = DatasetPaths.Sibling(ratingFiles[0], "movies.dat");
        if (movies is not null)
        {
            foreach (var r in LineFile.Read(movies, LineFile.Latin1, ParseMovie, cancellationToken))
            {
                yield return r;
            }
        }

        var users = DatasetPaths.Sibling(ratingFiles[0], "users.dat");
        if (users is not null)
        {
            foreach (var r in LineFile.Read(users, LineFile.Latin1, ParseUser, cancellationToken))
            {
                yield return r;
            }
        }

        foreach (var file in ratingFiles)
        {
            var parser = new RatingLineParser(Name, Path.GetFileName(file), "::");
            foreach (var r in LineFile.Read(file, LineFile.Latin1, parser.Parse, cancellationToken))
            {
                yield return r;
            }
        }
    }

    private static DatasetRecord? ParseMovie(ReadOnlySpan<char> line, long n)
    {
        const string Source = "movies.dat";
        if (line.IsWhiteSpace())
        {
            return null;
        }

        Span<Range> f = stackalloc Range[4];
        if (line.Split(f, "::") != 3)
        {
            return new RejectedRecord("expected 3 '::'-separated fields (id::title::genres)", Source, n);
        }

        var id = line[f[0]].Trim().ToString();
        if (!Ids.IsValid(id))
        {
            return new RejectedRecord($"movie id {Fields.Quote(id)} is not a valid id", Source, n);
        }

        var genres = SplitGenres(line[f[2]]);
        return new ItemRecord(new Item(id, Title: line[f[1]].Trim().ToString(), Categories: genres), Source, n);
    }

    internal static List<string> SplitGenres(ReadOnlySpan<char> text)
    {
        var genres = new List<string>(4);
        foreach (var range in text.Split('|'))
        {
            var g = text[range].Trim();
            if (!g.IsEmpty && !g.SequenceEqual("(no genres listed)"))
            {
                genres.Add(g.ToString());
            }
        }

        return genres;
    }

    private static DatasetRecord? ParseUser(ReadOnlySpan<char> line, long n)
    {
        const string Source = "users.dat";
        if (line.IsWhiteSpace())
        {
            return null;
        }

        Span<Range> f = stackalloc Range[6];
        if (line.Split(f, "::") != 5)
        {
            return new RejectedRecord("expected 5 '::'-separated fields (id::gender::age::occupation::zip)", Source, n);
        }

        var id = line[f[0]].Trim().ToString();
        if (!Ids.IsValid(id))
        {
            return new RejectedRecord($"user id {Fields.Quote(id)} is not a valid id", Source, n);
        }

        if (!int.TryParse(line[f[2]].Trim(), CultureInfo.InvariantCulture, out var age) || !AgeGroups.TryGetValue(age, out var ageGroup))
        {
            return new RejectedRecord($"age code {Fields.Quote(line[f[2]])} is not one of 1, 18, 25, 35, 45, 50, 56", Source, n);
        }

        if (!int.TryParse(line[f[3]].Trim(), CultureInfo.InvariantCulture, out var occupation) || occupation < 0 || occupation >= Occupations.Length)
        {
            return new RejectedRecord($"occupation code {Fields.Quote(line[f[3]])} is not 0-20", Source, n);
        }

        var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["gender"] = JsonValues.String(line[f[1]].Trim().ToString()),
            ["age"] = JsonValues.Number(age),
            ["ageGroup"] = JsonValues.String(ageGroup),
            ["occupation"] = JsonValues.String(Occupations[occupation]),
            ["zip"] = JsonValues.String(line[f[4]].Trim().ToString()),
        };
        return new UserRecord(new User(id, attributes), Source, n);
    }
}
