using System.Globalization;
using Attune.Core;
using Attune.Datasets.Parsing;

namespace Attune.Datasets.Formats;

/// <summary>
/// Any delimited text file of events, mapped by options: which column holds the user, item, type, value,
/// timestamp, session and event id, the delimiter, whether there is a header, the type for rows without one,
/// and a renaming of source type names (<c>pv=view,buy=purchase</c>). Columns are header names (matched
/// without case) or 0-based indices. Without an id column the event id is a hash of the row's fields.
/// </summary>
public sealed class CsvFormat : IDatasetFormat
{
    public string Name => "csv";

    public string Description => "Generic delimited events file (or a folder of *.csv), columns mapped by options.";

    public IReadOnlyList<DatasetOptionInfo> Options { get; } =
    [
        new("delimiter", "Field delimiter: a single character, or 'tab'.", ","),
        new("header", "Whether the first line names the columns.", "true"),
        new("user-column", "Column holding the user id (name or 0-based index).", "user | user_id | userId, or 0 without a header"),
        new("item-column", "Column holding the item id; rows with it empty are events without an item.", "item | item_id | itemId, or 1 without a header"),
        new("type-column", "Column holding the event type.", "type | event_type | eventType, if present"),
        new("value-column", "Column holding the value (rating, price...).", "value | rating, if present"),
        new("timestamp-column", "Column holding the time: Unix seconds or milliseconds, or ISO 8601.", "timestamp | time | event_time, if present"),
        new("session-column", "Column holding the session id.", "session | session_id | sessionId, if present"),
        new("id-column", "Column holding an event id to use instead of a hash of the row.", "id | event_id, if present"),
        new("default-type", "Event type for rows without a type column or with it empty.", EventTypes.View),
        new("type-map", "Renames source types, e.g. 'pv=view,buy=purchase'.", null),
    ];

    public IEnumerable<DatasetRecord> Read(string path, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DatasetOptions.Empty;
        options.Validate(this);
        var settings = CsvSettings.From(options);
        var files = DatasetPaths.Resolve(path, Name, "*.csv", "*.tsv", "*.txt", "*.csv.gz");
        return ReadAll(files, settings, cancellationToken);
    }

    private IEnumerable<DatasetRecord> ReadAll(IReadOnlyList<string> files, CsvSettings settings, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            var parser = new Parser(Name, Path.GetFileName(file), settings);
            foreach (var r in LineFile.Read(file, LineFile.Utf8, parser.Parse, cancellationToken))
            {
                yield return r;
            }
        }
    }

    private sealed record CsvSettings(
        char Delimiter,
        bool Header,
        string? User,
        string? Item,
        string? Type,
        string? Value,
        string? Timestamp,
        string? Session,
        string? Id,
        string DefaultType,
        IReadOnlyDictionary<string, string> TypeMap)
    {
        public static CsvSettings From(DatasetOptions o)
        {
            var d = o.GetString("delimiter") ?? ",";
            var delimiter = d.ToLowerInvariant() switch
            {
                "tab" or "\\t" => '\t',
                _ when d.Length == 1 => d[0],
                _ => throw new DatasetException($"Option 'delimiter' must be one character or 'tab', not '{d}'."),
            };
            if (delimiter is '"' or '\n' or '\r')
            {
                throw new DatasetException($"Option 'delimiter' cannot be a quote or a line break.");
            }

            var defaultType = o.GetString("default-type") ?? EventTypes.View;
            if (!Ids.IsValid(defaultType))
            {
                throw new DatasetException($"Option 'default-type' '{defaultType}' is not a valid event type.");
            }

            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (o.GetString("type-map") is { } typeMap)
            {
                foreach (var pair in typeMap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0 || eq == pair.Length - 1)
                    {
                        throw new DatasetException($"Option 'type-map' entry '{pair}' is not source=target.");
                    }

                    map[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
                }
            }

            return new CsvSettings(
                delimiter,
                o.GetBool("header", true),
                o.GetString("user-column"),
                o.GetString("item-column"),
                o.GetString("type-column"),
                o.GetString("value-column"),
                o.GetString("timestamp-column"),
                o.GetString("session-column"),
                o.GetString("id-column"),
                defaultType,
                map);
        }
    }

    private sealed class Parser(string format, string source, CsvSettings settings)
    {
        private readonly StringPool _users = new();
        private readonly StringPool _items = new();
        private readonly StringPool _types = new(1000);
        private readonly StringPool _sessions = new();
        private int _user = -1;
        private int _item = -1;
        private int _type = -1;
        private int _value = -1;
        private int _timestamp = -1;
        private int _session = -1;
        private int _id = -1;
        private int _columns;
        private bool _mapped;

        public DatasetRecord? Parse(ReadOnlySpan<char> line, long n)
        {
            if (line.IsWhiteSpace())
            {
                return null;
            }

            if (!_mapped)
            {
                MapColumns(line, n);
                if (settings.Header)
                {
                    return null;
                }
            }

            Span<Range> f = stackalloc Range[64];
            var count = Csv.Split(line, settings.Delimiter, f, out var quoted);
            if (count < 0)
            {
                return Reject("unterminated quoted field", n);
            }

            if (count < _columns)
            {
                return Reject($"expected at least {_columns} fields, found {count}", n);
            }

            if (!Fields.TryId(line[f[_user]], "user id", _users, out var user, out var error))
            {
                return Reject(error!, n);
            }

            string? item = null;
            if (_item >= 0 && !line[f[_item]].IsWhiteSpace() && !Fields.TryId(line[f[_item]], "item id", _items, out item, out error))
            {
                return Reject(error!, n);
            }

            var type = settings.DefaultType;
            if (_type >= 0 && !line[f[_type]].IsWhiteSpace())
            {
                if (!Fields.TryId(line[f[_type]], "event type", _types, out type, out error))
                {
                    return Reject(error!, n);
                }

                if (settings.TypeMap.TryGetValue(type, out var mapped))
                {
                    type = mapped;
                }
            }

            double? value = null;
            if (_value >= 0 && !line[f[_value]].IsWhiteSpace())
            {
                if (!Fields.TryDouble(line[f[_value]], out var v))
                {
                    return Reject($"value {Fields.Quote(line[f[_value]])} is not a number", n);
                }

                value = v;
            }

            var tsText = Csv.NeedsUnescape(line, f[_timestamp], _timestamp, quoted)
                ? Csv.Field(line, f[_timestamp], _timestamp, quoted).AsSpan()
                : line[f[_timestamp]];
            if (!Fields.TryTimestamp(tsText, out var timestamp))
            {
                return Reject($"timestamp {Fields.Quote(tsText)} is not Unix seconds/milliseconds or ISO 8601", n);
            }

            string? session = null;
            if (_session >= 0 && !line[f[_session]].IsWhiteSpace())
            {
                session = _sessions.Get(line[f[_session]].Trim());
            }

            string id;
            if (_id >= 0 && !line[f[_id]].IsWhiteSpace())
            {
                id = Csv.Field(line, f[_id], _id, quoted).Trim();
                if (!Ids.IsValid(id))
                {
                    return Reject($"event id {Fields.Quote(id)} is not a valid id", n);
                }
            }
            else
            {
                id = EventIds.Hashed(format, [user, item, type, value?.ToString("R", CultureInfo.InvariantCulture), timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), session]);
            }

            return new EventRecord(new Event(id, user, item, type, value, timestamp, session), source, n);
        }

        private RejectedRecord Reject(string reason, long n) => new(reason, source, n);

        private void MapColumns(ReadOnlySpan<char> firstLine, long n)
        {
            _mapped = true;
            string[] names;
            if (settings.Header)
            {
                Span<Range> f = stackalloc Range[64];
                var count = Csv.Split(firstLine, settings.Delimiter, f, out var quoted);
                if (count is < 0 or > 64)
                {
                    throw new DatasetException($"{source} line {n}: the header cannot be split into at most 64 columns with delimiter '{settings.Delimiter}'.");
                }

                names = new string[count];
                for (var i = 0; i < count; i++)
                {
                    names[i] = Csv.Field(firstLine, f[i], i, quoted).Trim();
                }
            }
            else
            {
                names = [];
            }

            _user = Resolve(names, "user-column", settings.User, settings.Header ? ["user", "user_id", "userId"] : null, required: true, headerless: 0, n);
            _item = Resolve(names, "item-column", settings.Item, settings.Header ? ["item", "item_id", "itemId"] : null, required: false, headerless: 1, n);
            _type = Resolve(names, "type-column", settings.Type, ["type", "event_type", "eventType"], required: false, headerless: -1, n);
            _value = Resolve(names, "value-column", settings.Value, ["value", "rating"], required: false, headerless: -1, n);
            _timestamp = Resolve(names, "timestamp-column", settings.Timestamp, ["timestamp", "time", "event_time"], required: true, headerless: -1, n);
            _session = Resolve(names, "session-column", settings.Session, ["session", "session_id", "sessionId"], required: false, headerless: -1, n);
            _id = Resolve(names, "id-column", settings.Id, ["id", "event_id", "eventId"], required: false, headerless: -1, n);
            _columns = 1 + Math.Max(Math.Max(Math.Max(_user, _item), Math.Max(_type, _value)), Math.Max(Math.Max(_timestamp, _session), _id));
        }

        private int Resolve(string[] names, string option, string? given, string[]? aliases, bool required, int headerless, long n)
        {
            if (given is not null)
            {
                if (int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return index < 64 ? index : throw new DatasetException($"Option '{option}' index {index} is past the 64-column limit.");
                }

                var named = Array.FindIndex(names, x => string.Equals(x, given, StringComparison.OrdinalIgnoreCase));
                return named >= 0
                    ? named
                    : throw new DatasetException(settings.Header
                        ? $"{source} line {n}: option '{option}' names column '{given}', but the header has {string.Join(", ", names)}."
                        : $"Option '{option}' must be a 0-based column index when the file has no header.");
            }

            if (settings.Header && aliases is not null)
            {
                foreach (var alias in aliases)
                {
                    var found = Array.FindIndex(names, x => string.Equals(x, alias, StringComparison.OrdinalIgnoreCase));
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
            else if (!settings.Header && headerless >= 0)
            {
                return headerless;
            }

            if (required)
            {
                throw new DatasetException(settings.Header
                    ? $"{source} line {n}: no {option[..^7]} column in the header ({string.Join(", ", names)}); name it with --{option}."
                    : $"A file without a header needs --{option} (a 0-based column index).");
            }

            return -1;
        }
    }
}
