using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Formats;

/// <summary>
/// <c>user SEP item SEP rating SEP unix-seconds</c> lines (MovieLens .data / .dat / ratings.csv) into rating
/// events whose id is <c>format:user:item:rating:seconds</c>.
/// </summary>
internal sealed class RatingLineParser
{
    private readonly string _format;
    private readonly string _source;
    private readonly string? _separator;
    private readonly char _separatorChar;
    private readonly StringPool _users = new();
    private readonly StringPool _items = new();
    private readonly StringPool _values = new(64);

    public RatingLineParser(string format, string source, char separator)
    {
        _format = format;
        _source = source;
        _separatorChar = separator;
    }

    public RatingLineParser(string format, string source, string separator)
    {
        _format = format;
        _source = source;
        _separator = separator;
    }

    /// <summary>Set for files with a header row (ratings.csv): line 1 is skipped.</summary>
    public bool HasHeader { get; init; }

    public DatasetRecord? Parse(ReadOnlySpan<char> line, long n)
    {
        if (line.IsWhiteSpace() || (HasHeader && n == 1))
        {
            return null;
        }

        Span<Range> f = stackalloc Range[5];
        var count = _separator is null ? line.Split(f, _separatorChar) : line.Split(f, _separator);
        if (count != 4)
        {
            var sep = _separator ?? (_separatorChar == '\t' ? "tab" : _separatorChar.ToString());
            return Reject($"expected 4 fields (user, item, rating, timestamp) separated by {sep}, found {count}", n);
        }

        if (!Fields.TryId(line[f[0]], "user id", _users, out var user, out var error)
            || !Fields.TryId(line[f[1]], "item id", _items, out var item, out error))
        {
            return Reject(error!, n);
        }

        var ratingText = line[f[2]].Trim();
        if (!Fields.TryDouble(ratingText, out var rating))
        {
            return Reject($"rating {Fields.Quote(ratingText)} is not a number", n);
        }

        var tsText = line[f[3]].Trim();
        if (!Fields.TryLong(tsText, out var seconds) || !Fields.TryUnixSeconds(tsText, out var timestamp))
        {
            return Reject($"timestamp {Fields.Quote(tsText)} is not Unix seconds", n);
        }

        var id = EventIds.Composite(_format, user, item, _values.Get(ratingText), seconds);
        var e = new Event(id, user, item, EventTypes.Rating, rating, timestamp);
        return new EventRecord(e, _source, n);
    }

    private RejectedRecord Reject(string reason, long n) => new(reason, _source, n);
}
