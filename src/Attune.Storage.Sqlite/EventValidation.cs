using Attune.Core;

namespace Attune.Storage.Sqlite;

/// <summary>Checks a batch before it is queued, so a bad event is reported by batch index and field and nothing is written.</summary>
internal static class EventValidation
{
    public static void Validate(IReadOnlyList<Event> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new ArgumentException($"events[{i}] is null.", $"events[{i}]");
            if (!Ids.IsValid(e.UserId))
            {
                throw Invalid(i, "userId", "must be 1-256 characters without control characters");
            }

            if (e.ItemId is not null && !Ids.IsValid(e.ItemId))
            {
                throw Invalid(i, "itemId", "must be 1-256 characters without control characters, or absent");
            }

            if (e.Id is not null && !Ids.IsValid(e.Id))
            {
                throw Invalid(i, "id", "must be 1-256 characters without control characters, or absent");
            }

            if (!Ids.IsValid(e.Type))
            {
                throw Invalid(i, "type", "must be 1-256 characters without control characters");
            }

            if (e.SessionId is not null && !Ids.IsValid(e.SessionId))
            {
                throw Invalid(i, "sessionId", "must be 1-256 characters without control characters, or absent");
            }

            if (e.Value is { } v && !double.IsFinite(v))
            {
                throw Invalid(i, "value", "must be a finite number");
            }
        }
    }

    private static ArgumentException Invalid(int index, string field, string rule) =>
        new($"events[{index}].{field} {rule}.", $"events[{index}].{field}");
}
