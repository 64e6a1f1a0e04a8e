using Attune.Core;

namespace Attune.Datasets;

/// <summary>
/// One thing a dataset reader found: an event, an item, a user, or a row it could not use.
/// <see cref="Source"/> is the file name and <see cref="Line"/> the 1-based line in it, for messages.
/// </summary>
public abstract record DatasetRecord(string Source, long Line);

/// <summary>An event. Its <see cref="Event.Id"/> is deterministic, so importing the same file twice stores it once.</summary>
public sealed record EventRecord(Event Event, string Source, long Line) : DatasetRecord(Source, Line);

/// <summary>A catalog item.</summary>
public sealed record ItemRecord(Item Item, string Source, long Line) : DatasetRecord(Source, Line);

/// <summary>A user with attributes.</summary>
public sealed record UserRecord(User User, string Source, long Line) : DatasetRecord(Source, Line);

/// <summary>A row that was skipped, and why.</summary>
public sealed record RejectedRecord(string Reason, string Source, long Line) : DatasetRecord(Source, Line)
{
    public override string ToString() => $"{Source} line {Line}: {Reason}";
}
