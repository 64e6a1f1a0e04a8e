using System.Globalization;

namespace Attune.Algorithms.Prediction;

/// <summary>
/// Reads headerless <c>user_id,item_id,category_id,behavior,timestamp</c> lines, behavior one of
/// pv | cart | fav | buy and timestamp in Unix seconds (the layout of Alibaba's Taobao UserBehavior file).
/// </summary>
public static class BehaviorEventCsv
{
    public static List<BehaviorEvent> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var events = new List<BehaviorEvent>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            events.Add(ParseLine(line, lineNumber));
        }

        return events;
    }

    public static List<BehaviorEvent> ReadFile(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader);
    }

    private static BehaviorEvent ParseLine(string line, int lineNumber)
    {
        var span = line.AsSpan();
        Span<Range> parts = stackalloc Range[6];
        if (span.Split(parts, ',') != 5)
        {
            throw new FormatException($"Line {lineNumber}: expected 5 comma-separated fields (user,item,category,behavior,timestamp): '{line}'.");
        }

        var user = ParseLong(span[parts[0]], "user_id", lineNumber);
        var item = ParseLong(span[parts[1]], "item_id", lineNumber);
        var category = ParseLong(span[parts[2]], "category_id", lineNumber);
        var type = span[parts[3]] switch
        {
            "pv" => BehaviorType.View,
            "cart" => BehaviorType.Cart,
            "fav" => BehaviorType.Favorite,
            "buy" => BehaviorType.Purchase,
            _ => throw new FormatException($"Line {lineNumber}: behavior '{span[parts[3]]}' is not one of pv, cart, fav, buy."),
        };
        var timestamp = ParseLong(span[parts[4]], "timestamp", lineNumber);
        return new BehaviorEvent(user, item, category, type, timestamp);
    }

    private static long ParseLong(ReadOnlySpan<char> text, string field, int lineNumber) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"Line {lineNumber}: {field} '{text}' is not an integer.");
}
