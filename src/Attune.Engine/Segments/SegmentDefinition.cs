namespace Attune.Engine.Segments;

/// <summary>A rule segment as stored: a name, a condition over profiles in the expression language, and a note.</summary>
/// <param name="Name">1-64 characters: letters, digits, '_', '-' and '.'.</param>
/// <param name="Rule">The canonical text of the condition (see docs/expressions.md and docs/profiles.md).</param>
public sealed record SegmentDefinition(string Name, string Rule, string? Description, DateTimeOffset Created, DateTimeOffset Updated);

/// <summary>A segment's size at one time, for its history.</summary>
public sealed record SegmentSize(string Segment, DateTimeOffset At, int Size);

/// <summary>Where segment definitions and size histories persist (default: <c>profiles.db</c>).</summary>
public interface ISegmentRepository
{
    IReadOnlyList<SegmentDefinition> LoadSegments();

    void SaveSegment(SegmentDefinition segment);

    bool DeleteSegment(string name);

    void AppendSizes(IReadOnlyList<SegmentSize> sizes);

    /// <summary>The latest <paramref name="limit"/> sizes of a segment, oldest first.</summary>
    IReadOnlyList<SegmentSize> LoadSizes(string name, int limit);
}

/// <summary>A segment with its live state.</summary>
/// <param name="Size">Current members (live).</param>
/// <param name="Error">Why the rule no longer compiles (e.g. a field it uses disappeared); null when it is live.</param>
public sealed record SegmentInfo(SegmentDefinition Definition, int Size, DateTimeOffset? EvaluatedAt, string? Error);

/// <summary>A page of members, in user id order (ordinal).</summary>
/// <param name="NextCursor">The last id of this page, to pass back; null on the last page.</param>
public sealed record MemberPage(IReadOnlyList<string> UserIds, int Total, string? NextCursor);

/// <summary>A bad segment request, naming the field (<c>name</c>, <c>rule</c>) and, for rules, the column.</summary>
public sealed class SegmentException : Exception
{
    public SegmentException()
        : this("request", "the segment request is invalid")
    {
    }

    public SegmentException(string message)
        : this("request", message)
    {
    }

    public SegmentException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "request";
    }

    public SegmentException(string field, string message, int? column = null)
        : base(message)
    {
        Field = field;
        Column = column;
    }

    public string Field { get; }

    /// <summary>1-based column of the problem in the rule; null for other fields.</summary>
    public int? Column { get; }
}
